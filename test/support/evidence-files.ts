/**
 * Evidence for tests and benchmarks: a large file of random bytes, written with one buffer,
 * and a multipart upload streamed from disk with node:http (fetch's FormData reads a
 * file-backed Blob into memory, which would hide what the server does).
 */
import { createHash, randomFillSync, randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';

export const MB = 1024 * 1024;

/**
 * A file of `size` random bytes in `folder`, and its hash: one buffer reused, written a block at
 * a time without holding up the event loop (a worker in the same process keeps running).
 */
export async function bigFile(folder: string, size: number): Promise<{ path: string; sha256: string }> {
  const path = join(folder, `evidence-${size}-${randomUUID()}.bin`);
  const hash = createHash('sha256');
  const block = Buffer.alloc(MB);
  const file = await open(path, 'w');
  try {
    for (let offset = 0; offset < size; ) {
      const length = Math.min(MB, size - offset);
      randomFillSync(block, 0, length);
      hash.update(block.subarray(0, length));
      await file.write(block, 0, length);
      offset += length;
    }
  } finally {
    await file.close();
  }
  return { path, sha256: hash.digest('hex') };
}

export interface Upload {
  url: string;
  token: string;
  path: string;
  name: string;
  description?: string;
}

/** POSTs the file as the part `file` of a multipart/form-data body; the JSON answer and its status. */
export async function uploadEvidence({ url, token, path, name, description }: Upload): Promise<{ status: number; body: Record<string, any> }> {
  const boundary = `irflow-${randomUUID()}`;
  const head = [
    ...(description ? [`--${boundary}\r\nContent-Disposition: form-data; name="description"\r\n\r\n${description}\r\n`] : []),
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${name}"\r\nContent-Type: application/octet-stream\r\n\r\n`,
  ].join('');
  const tail = `\r\n--${boundary}--\r\n`;
  const size = (await stat(path)).size;
  return new Promise((resolve, reject) => {
    const request = httpRequest(new URL(url), {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': Buffer.byteLength(head) + size + Buffer.byteLength(tail) },
    });
    request.on('response', async (response) => {
      const chunks: Buffer[] = [];
      for await (const chunk of response) chunks.push(chunk as Buffer);
      resolve({ status: response.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, any> });
    });
    request.on('error', reject);
    request.write(head);
    const file = createReadStream(path);
    file.on('error', reject);
    file.on('end', () => request.end(tail));
    file.pipe(request, { end: false });
  });
}
