/**
 * Evidence in an S3-compatible store (IRFLOW_EVIDENCE_S3_BUCKET), over real HTTP on a real
 * Temporal dev server and the test database, against a real S3 server (the Versity S3 Gateway
 * over a folder; scripts/s3-gateway.ts builds it once per machine): a 160 MB file streamed in as
 * a multipart upload without the process growing by its size and back out byte for byte; the
 * same bytes twice kept once under their hash; an object altered in the bucket refused on
 * download and the refusal recorded; disposal deletes the object.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { s3EvidenceStore } from '../../runtime/s3-evidence-store.js';
import { bigFile, MB, uploadEvidence } from '../support/evidence-files.js';
import { optionalPart } from '../support/optional-part.js';
import { s3GatewayBinary, startS3Gateway, type S3Gateway } from '../support/s3-gateway.js';
import { startStack, type Stack } from '../support/stack.js';

const binary = await s3GatewayBinary();
optionalPart(Boolean(binary), 'evidence in S3: no S3 gateway (npm run s3:install needs Go)');

let gateway: S3Gateway;
let stack: Stack;
let base: string;
let alice: string; // analyst
let audrey: string; // auditor
let folder: string;
const SIZE = 160 * MB;
/**
 * The SDK's multipart upload holds a few 5 MiB parts, the multipart parser and the HTTP client
 * their buffers, and garbage waits for the collector: 30-60 MB measured here for 60-200 MB files,
 * growing with no file size. Half the file's size is the bound: an upload held whole breaks it.
 */
const RSS_BOUND = SIZE / 2;

beforeAll(async () => {
  if (!binary) return;
  gateway = await startS3Gateway();
  const evidence = s3EvidenceStore({ bucket: gateway.bucket, prefix: 'soc/', endpoint: gateway.endpoint }, gateway.client);
  stack = await startStack({ evidence });
  [alice, audrey] = await Promise.all([stack.token(['analyst'], 'alice'), stack.token(['auditor'], 'audrey')]);
  base = await stack.app.listen({ port: 0, host: '127.0.0.1' });
  folder = await mkdtemp(join(tmpdir(), 'irflow-evidence-s3-test-'));
});
afterAll(async () => {
  await stack?.close();
  await gateway?.close();
  if (folder) await rm(folder, { recursive: true, force: true });
});

const upload = (incidentId: string, path: string, name: string) => uploadEvidence({ url: `${base}/v1/incidents/${incidentId}/evidence`, token: alice, path, name });

async function newIncident(): Promise<string> {
  const created = await stack.call('POST', '/v1/incidents', alice, { title: 'Evidence in S3', severity: 'high' });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return created.body.id as string;
}

/** The bucket's keys under a prefix. */
async function keys(prefix: string): Promise<string[]> {
  const listed = await gateway.client.send(new ListObjectsV2Command({ Bucket: gateway.bucket, Prefix: prefix }));
  return (listed.Contents ?? []).map((o) => o.Key!).sort();
}

describe.skipIf(!binary)('evidence in an S3-compatible store', () => {
  it('streams 160 MB in as a multipart upload and back out, byte-identical, kept once under its hash', async () => {
    const id = await newIncident();
    const file = await bigFile(folder, SIZE);
    // A small upload first: the SDK loads its parts on first use, which is not the upload's growth.
    const warmUp = join(folder, 'warm-up.txt');
    await writeFile(warmUp, 'warm-up');
    expect((await upload(id, warmUp, 'warm-up.txt')).status).toBe(201);
    global.gc?.();
    const before = process.memoryUsage().rss;
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
    const added = await upload(id, file.path, 'memory.raw');
    clearInterval(sampler);
    expect(added.status, JSON.stringify(added.body)).toBe(201);
    expect(added.body).toMatchObject({ sha256: file.sha256, size: SIZE, storage: 'irflow' });
    expect(peak - before, `RSS grew by ${((peak - before) / MB).toFixed(1)} MB`).toBeLessThan(RSS_BOUND);
    console.log(`${SIZE / MB} MB upload to S3: RSS growth ${((peak - before) / MB).toFixed(1)} MB`);
    const stored = (await keys('soc/')).filter((key) => key.endsWith(file.sha256));
    expect(stored).toEqual([`soc/sha256/${file.sha256.slice(0, 2)}/${file.sha256}`]);

    const again = await upload(await newIncident(), file.path, 'copy.raw');
    expect(again.status).toBe(201);
    expect((await keys('soc/')).filter((key) => key.endsWith(file.sha256))).toEqual(stored);

    const response = await fetch(`${base}/v1/incidents/${id}/evidence/${added.body.id}/content`, { headers: { authorization: `Bearer ${audrey}` } });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-irflow-sha256')).toBe(file.sha256);
    const back = createHash('sha256');
    let size = 0;
    for await (const chunk of Readable.fromWeb(response.body as never)) (back.update(chunk as Buffer), (size += (chunk as Buffer).length));
    expect([back.digest('hex'), size]).toEqual([file.sha256, SIZE]);
  });

  it('refuses a download whose object was altered in the bucket, and records it; disposal deletes the object', async () => {
    const id = await newIncident();
    const path = join(folder, 'note.txt');
    await writeFile(path, 'the attacker left this note in S3');
    const added = await upload(id, path, 'note.txt');
    expect(added.status).toBe(201);
    const location = stack.evidence.locationOf(added.body.sha256 as string);
    expect(location).toBe(`s3://${gateway.bucket}/soc/sha256/${(added.body.sha256 as string).slice(0, 2)}/${added.body.sha256}`);
    const key = location.slice(`s3://${gateway.bucket}/`.length);
    await gateway.client.send(new PutObjectCommand({ Bucket: gateway.bucket, Key: key, Body: 'nothing to see here' }));
    const refused = await stack.call('GET', `/v1/incidents/${id}/evidence/${added.body.id}/content`, alice);
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ type: 'urn:irflow:problem:evidence-altered', expected: added.body.sha256 });
    const custody = await stack.call('GET', `/v1/incidents/${id}/evidence/${added.body.id}/custody`, audrey);
    expect(custody.body.custody.map((e: { type: string }) => e.type)).toEqual(['evidence_added', 'evidence_integrity_failed']);

    const disposed = await stack.call('POST', `/v1/incidents/${id}/evidence/${added.body.id}/dispose`, alice, { reason: 'retention period over' });
    expect(disposed.status, JSON.stringify(disposed.body)).toBe(200);
    expect(await keys(key)).toEqual([]);
    expect(await stack.evidence.check(added.body.sha256 as string)).toBeUndefined();
    expect((await stack.call('GET', `/v1/incidents/${id}/evidence/${added.body.id}/content`, alice)).status).toBe(410);
    expect(await keys('soc/incoming/')).toEqual([]);
  });
});
