/** Ids of records a request creates inside an incident (notes, tasks). */
import { createHash, randomUUID } from 'node:crypto';

/**
 * A fresh UUID; under an Idempotency-Key the same one for the same caller and key, so a retried
 * request names the record its first attempt created.
 */
export function newRecordId(actor: string, idempotencyKey?: string): string {
  if (!idempotencyKey) return randomUUID();
  const hex = createHash('sha256').update(`${actor}\u0000${idempotencyKey}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
