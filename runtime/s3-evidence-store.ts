/**
 * Evidence files in an S3-compatible object store (AWS S3, or any server that speaks its API),
 * content-addressed like the folder store: `<prefix>sha256/ab/abcd…`. An upload streams into a
 * multipart upload under `<prefix>incoming/<uuid>` while it is hashed (the SDK's Upload holds at
 * most `queueSize` parts of `partSize` bytes in memory), then is copied to its hash's key on the
 * server and the incoming object removed; the same bytes uploaded twice are kept once. Reading
 * checks the bytes against the hash the ledger recorded, as the folder store does.
 *
 * The client and its credentials are the AWS SDK's own (@aws-sdk/client-s3, its default
 * credential chain: AWS_ACCESS_KEY_ID…, profiles, instance roles): no signing of our own.
 */
import { randomUUID } from 'node:crypto';
import { PassThrough, Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { CopyObjectCommand, DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { EvidenceTooLargeError, hashing, MAX_EVIDENCE_BYTES, SHA256, type EvidenceStore, type StoredEvidence } from './evidence-store.js';

export interface S3EvidenceSettings {
  bucket: string;
  /** Keys start with it (e.g. `irflow/evidence/`); default none. */
  prefix?: string;
  /** The S3 API's URL for a server other than AWS (IRFLOW_EVIDENCE_S3_ENDPOINT). */
  endpoint?: string;
  region?: string;
  /** Bucket in the path, not the host name: what most servers other than AWS expect (default: with an endpoint). */
  forcePathStyle?: boolean;
  /** Bytes a part of a multipart upload holds (default and minimum 5 MiB, S3's own minimum). */
  partSize?: number;
  /** Parts sent at once (default 2): memory held by an upload is about partSize × queueSize. */
  queueSize?: number;
}

const MIN_PART_SIZE = 5 * 1024 ** 2;

/** Whether the S3 answer says the object is not there. */
function missing(error: unknown): boolean {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e.name === 'NotFound' || e.name === 'NoSuchKey' || e.$metadata?.httpStatusCode === 404;
}

export function s3EvidenceStore(settings: S3EvidenceSettings, client?: S3Client): EvidenceStore {
  const { bucket, prefix = '' } = settings;
  const config: S3ClientConfig = {
    ...(settings.region ? { region: settings.region } : { region: 'us-east-1' }),
    ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
    forcePathStyle: settings.forcePathStyle ?? settings.endpoint !== undefined,
  };
  const s3 = client ?? new S3Client(config);
  const partSize = Math.max(MIN_PART_SIZE, settings.partSize ?? MIN_PART_SIZE);
  const queueSize = Math.max(1, settings.queueSize ?? 2);

  const keyOf = (sha256: string) => {
    if (!SHA256.test(sha256)) throw new RangeError(`not a SHA-256: ${sha256}`);
    return `${prefix}sha256/${sha256.slice(0, 2)}/${sha256}`;
  };

  const exists = (key: string) =>
    s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key })).then(
      () => true,
      (error: unknown) => {
        if (missing(error)) return false;
        throw error;
      },
    );

  async function put(content: Readable, truncated: () => boolean = () => false): Promise<StoredEvidence> {
    const incoming = `${prefix}incoming/${randomUUID()}`;
    const { stream, digest } = hashing();
    const body = new PassThrough();
    const upload = new Upload({ client: s3, params: { Bucket: bucket, Key: incoming, Body: body }, partSize, queueSize, leavePartsOnError: false });
    try {
      await Promise.all([pipeline(content, stream, body), upload.done()]);
      if (truncated()) throw new EvidenceTooLargeError(`the file is larger than ${MAX_EVIDENCE_BYTES} bytes`);
      const stored = digest();
      const target = keyOf(stored.sha256);
      // Same bytes, same key: a copy already there holds them.
      if (!(await exists(target))) await s3.send(new CopyObjectCommand({ Bucket: bucket, Key: target, CopySource: `${bucket}/${encodeURIComponent(incoming)}` }));
      return stored;
    } catch (error) {
      // The upload failing leaves the body unread: end the stream too, so the request is let go.
      body.destroy(error as Error);
      await upload.abort().catch(() => undefined);
      throw error;
    } finally {
      await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: incoming })).catch(() => undefined);
    }
  }

  /** The object's bytes as a stream; undefined when there is no such object. */
  async function body(sha256: string): Promise<Readable | undefined> {
    try {
      const answer = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: keyOf(sha256) }));
      return answer.Body as Readable;
    } catch (error) {
      if (missing(error)) return undefined;
      throw error;
    }
  }

  async function check(sha256: string): Promise<StoredEvidence | undefined> {
    const bytes = await body(sha256);
    if (!bytes) return undefined;
    const { stream, digest } = hashing();
    await pipeline(bytes, stream, async (source: AsyncIterable<Buffer>) => {
      for await (const _chunk of source);
    });
    return digest();
  }

  function open(sha256: string): Readable {
    const key = keyOf(sha256);
    async function* bytes() {
      const found = await body(sha256);
      if (!found) throw new Error(`evidence ${key} is not in bucket ${bucket}`);
      yield* found;
    }
    return Readable.from(bytes(), { objectMode: false });
  }

  return {
    put,
    check,
    open,
    remove: async (sha256) => {
      await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: keyOf(sha256) }));
    },
    locationOf: (sha256) => `s3://${bucket}/${keyOf(sha256)}`,
  };
}
