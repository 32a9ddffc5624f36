/**
 * Evidence files, content-addressed under a folder (`<dir>/sha256/ab/abcd…`): written while the
 * upload streams, hashed on the way (SHA-256), never held in memory whole; the same bytes
 * uploaded twice are kept once. Reading checks the bytes against the hash the ledger recorded.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/** The largest file an upload may hold (2 GiB). */
export const MAX_EVIDENCE_BYTES = 2 * 1024 ** 3;

export const SHA256 = /^[0-9a-f]{64}$/;

/** The upload was longer than the limit: nothing is kept. */
export class EvidenceTooLargeError extends Error {
  override name = 'EvidenceTooLargeError';
}

export interface StoredEvidence {
  sha256: string;
  size: number;
}

export interface EvidenceStore {
  /** Streams `content` into the store; `truncated()` tells whether the source cut it at its limit. */
  put(content: Readable, truncated?: () => boolean): Promise<StoredEvidence>;
  /** The SHA-256 and size of the bytes held for `sha256` now, or undefined when none are. */
  check(sha256: string): Promise<StoredEvidence | undefined>;
  open(sha256: string): Readable;
  remove(sha256: string): Promise<void>;
  /** Where the bytes of `sha256` live: a file's path, or an `s3://bucket/key` URI (operators look there; tests tamper with it). */
  locationOf(sha256: string): string;
}

/** A pass-through stream that hashes (SHA-256) and counts what flows through it. */
export function hashing(): { stream: Transform; digest: () => StoredEvidence } {
  const hash = createHash('sha256');
  let size = 0;
  const stream = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      size += chunk.length;
      done(null, chunk);
    },
  });
  return { stream, digest: () => ({ sha256: hash.digest('hex'), size }) };
}

export function fileEvidenceStore(dir: string): EvidenceStore {
  const pathOf = (sha256: string) => {
    if (!SHA256.test(sha256)) throw new RangeError(`not a SHA-256: ${sha256}`);
    return join(dir, 'sha256', sha256.slice(0, 2), sha256);
  };

  async function put(content: Readable, truncated: () => boolean = () => false): Promise<StoredEvidence> {
    await mkdir(join(dir, 'incoming'), { recursive: true });
    const incoming = join(dir, 'incoming', randomUUID());
    const { stream, digest } = hashing();
    try {
      await pipeline(content, stream, createWriteStream(incoming, { flags: 'wx', mode: 0o640 }));
      if (truncated()) throw new EvidenceTooLargeError(`the file is larger than ${MAX_EVIDENCE_BYTES} bytes`);
      const stored = digest();
      const target = pathOf(stored.sha256);
      await mkdir(join(target, '..'), { recursive: true });
      // Same bytes, same name: a second copy replaces the first with identical content.
      await rename(incoming, target);
      return stored;
    } finally {
      await rm(incoming, { force: true });
    }
  }

  async function check(sha256: string): Promise<StoredEvidence | undefined> {
    const path = pathOf(sha256);
    if (!(await stat(path).catch(() => undefined))) return undefined;
    const { stream, digest } = hashing();
    await pipeline(createReadStream(path), stream, async (source: AsyncIterable<Buffer>) => {
      for await (const _chunk of source);
    });
    return digest();
  }

  return {
    put,
    check,
    open: (sha256) => createReadStream(pathOf(sha256)),
    remove: (sha256) => rm(pathOf(sha256), { force: true }),
    locationOf: pathOf,
  };
}

/** The store of an API process given none: every use answers that evidence cannot be kept here. */
export function missingEvidenceStore(fail: () => Error): EvidenceStore {
  const refuse = () => {
    throw fail();
  };
  return { put: async () => refuse(), check: async () => refuse(), open: refuse, remove: async () => refuse(), locationOf: refuse };
}
