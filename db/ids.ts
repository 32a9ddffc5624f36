/** Identifiers people read aloud on a bridge call: `INC-20261128-7KQ2M9XA`. */
import { createHash, randomBytes } from 'node:crypto';

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

function base32(bytes: Uint8Array, length: number): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5 && out.length < length) {
      out += CROCKFORD[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return out;
}

function day(now: Date): string {
  return now.toISOString().slice(0, 10).replace(/-/g, '');
}

export function newIncidentId(now = new Date()): string {
  return `INC-${day(now)}-${base32(randomBytes(5), 8)}`;
}

/** The same idempotency key from the same caller always names the same incident (`INC-K…`). */
export function incidentIdForIdempotencyKey(caller: string, key: string): string {
  return `INC-K${base32(createHash('sha256').update(`${caller}\n${key}`).digest(), 12)}`;
}
