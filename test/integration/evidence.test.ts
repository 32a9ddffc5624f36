/**
 * Evidence with a chain of custody, over real HTTP on a real Temporal dev server and the test
 * database: a 100 MB file streamed in (the process does not grow by its size) and back out byte
 * for byte, its hash recorded; a file altered on disk is refused on download and the refusal
 * recorded; transfers and disposal are custody events; the ledger verifies and replays.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bigFile, MB, uploadEvidence } from '../support/evidence-files.js';
import { startStack, type Stack } from '../support/stack.js';

let stack: Stack;
let base: string;
let alice: string; // analyst
let audrey: string; // auditor
let paul: string; // approver
let folder: string;

beforeAll(async () => {
  stack = await startStack();
  [alice, audrey, paul] = await Promise.all([stack.token(['analyst'], 'alice'), stack.token(['auditor'], 'audrey'), stack.token(['approver'], 'paul')]);
  base = await stack.app.listen({ port: 0, host: '127.0.0.1' });
  folder = await mkdtemp(join(tmpdir(), 'irflow-evidence-test-'));
});
afterAll(async () => {
  await stack?.close();
  if (folder) await rm(folder, { recursive: true, force: true });
});

const upload = (incidentId: string, path: string, name: string, description?: string) =>
  uploadEvidence({ url: `${base}/v1/incidents/${incidentId}/evidence`, token: alice, path, name, ...(description ? { description } : {}) });

async function newIncident(): Promise<string> {
  const created = await stack.call('POST', '/v1/incidents', alice, { title: 'Evidence', severity: 'high' });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return created.body.id as string;
}

describe('evidence', () => {
  it('streams 100 MB in and out without growing by its size, byte-identical, its hash recorded', async () => {
    const id = await newIncident();
    const file = await bigFile(folder, 100 * MB);
    global.gc?.();
    const before = process.memoryUsage().rss;
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
    const started = performance.now();
    const added = await upload(id, file.path, 'memory.raw', 'memory image of web01');
    const seconds = (performance.now() - started) / 1000;
    clearInterval(sampler);
    expect(added.status, JSON.stringify(added.body)).toBe(201);
    expect(added.body).toMatchObject({ sha256: file.sha256, size: 100 * MB, name: 'memory.raw', custodian: 'alice', storage: 'irflow', description: 'memory image of web01' });
    expect(peak - before, `RSS grew by ${((peak - before) / MB).toFixed(1)} MB`).toBeLessThan(50 * MB);
    console.log(`100 MB upload: ${(100 / seconds).toFixed(0)} MB/s, RSS growth ${((peak - before) / MB).toFixed(1)} MB`);

    const response = await fetch(`${base}/v1/incidents/${id}/evidence/${added.body.id}/content?reason=analysis`, { headers: { authorization: `Bearer ${audrey}` } });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-irflow-sha256')).toBe(file.sha256);
    expect(response.headers.get('repr-digest')).toBe(`sha-256=:${Buffer.from(file.sha256, 'hex').toString('base64')}:`);
    const back = createHash('sha256');
    let size = 0;
    for await (const chunk of Readable.fromWeb(response.body as never)) (back.update(chunk as Buffer), (size += (chunk as Buffer).length));
    expect([back.digest('hex'), size]).toEqual([file.sha256, 100 * MB]);

    const history = (await stack.call('GET', `/v1/incidents/${id}/history`, audrey)).body.events as Array<{ type: string; data: Record<string, unknown> }>;
    expect(history.find((e) => e.type === 'evidence_added')?.data).toMatchObject({ sha256: file.sha256, size: 100 * MB });
    expect(history.find((e) => e.type === 'evidence_downloaded')?.data).toMatchObject({ reason: 'analysis' });
  });

  it('refuses a download whose bytes were altered on disk, and records it', async () => {
    const id = await newIncident();
    const path = join(folder, 'note.txt');
    await writeFile(path, 'the attacker left this note');
    const added = await upload(id, path, 'note.txt');
    expect(added.status).toBe(201);
    await writeFile(stack.evidence.locationOf(added.body.sha256 as string), 'nothing to see here');
    const refused = await stack.call('GET', `/v1/incidents/${id}/evidence/${added.body.id}/content`, alice);
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ type: 'urn:irflow:problem:evidence-altered', expected: added.body.sha256 });
    expect(refused.body.actual).toMatch(/^[0-9a-f]{64}$/);
    const custody = await stack.call('GET', `/v1/incidents/${id}/evidence/${added.body.id}/custody`, audrey);
    expect(custody.body.custody.map((e: { type: string }) => e.type)).toEqual(['evidence_added', 'evidence_integrity_failed']);
    expect(custody.body.integrityFailures).toBe(1);
  });

  it('keeps a chain of custody: transfers and disposal with who and why; references to evidence held elsewhere', async () => {
    const id = await newIncident();
    const path = join(folder, 'pcap.bin');
    await writeFile(path, Buffer.from('0123456789'.repeat(100)));
    const item = (await upload(id, path, 'capture.pcap')).body;
    const moved = await stack.call('POST', `/v1/incidents/${id}/evidence/${item.id}/custody`, alice, { to: 'forensics-lab', reason: 'disk analysis' });
    expect(moved.status, JSON.stringify(moved.body)).toBe(200);
    expect(moved.body.custodian).toBe('forensics-lab');
    expect((await stack.call('POST', `/v1/incidents/${id}/evidence/${item.id}/custody`, alice, { to: 'forensics-lab', reason: 'again' })).status).toBe(409);
    const reference = await stack.call('POST', `/v1/incidents/${id}/evidence`, alice, { uri: 's3://lab-vault/cases/42/disk.e01', sha256: 'a'.repeat(64), size: 512 * MB });
    expect(reference.status, JSON.stringify(reference.body)).toBe(201);
    expect(reference.body).toMatchObject({ storage: 'reference', uri: 's3://lab-vault/cases/42/disk.e01', name: 'disk.e01' });
    expect((await stack.call('GET', `/v1/incidents/${id}/evidence/${reference.body.id}/content`, alice)).body.type).toBe('urn:irflow:problem:evidence-held-elsewhere');

    const disposed = await stack.call('POST', `/v1/incidents/${id}/evidence/${item.id}/dispose`, alice, { reason: 'retention period over' });
    expect(disposed.status).toBe(200);
    expect(disposed.body.disposed).toBe(true);
    expect(await stack.evidence.check(item.sha256 as string)).toBeUndefined();
    expect((await stack.call('GET', `/v1/incidents/${id}/evidence/${item.id}/content`, alice)).status).toBe(410);
    const custody = await stack.call('GET', `/v1/incidents/${id}/evidence/${item.id}/custody`, audrey);
    expect(custody.body.custody.map((e: { type: string; actor: string }) => [e.type, e.actor])).toEqual([
      ['evidence_added', 'alice'],
      ['evidence_transferred', 'alice'],
      ['evidence_disposed', 'alice'],
    ]);
    expect((await stack.call('GET', `/v1/incidents/${id}/evidence`, paul)).body.evidence).toHaveLength(2);
    expect((await stack.call('GET', `/v1/incidents/${id}/evidence/${item.id}/custody`, paul)).status).toBe(403);
    expect((await stack.call('GET', `/v1/incidents/${id}/history/verify`, audrey)).body).toMatchObject({ valid: true });
    expect((await stack.call('POST', `/v1/incidents/${id}/replay`, audrey)).body).toMatchObject({ deterministic: true, machineConsistent: true });
  });

  it('answers 400 for a multipart body without a file part and 404 for an incident that is not there', async () => {
    const form = new FormData();
    form.append('description', 'no file');
    const id = await newIncident();
    const response = await fetch(`${base}/v1/incidents/${id}/evidence`, { method: 'POST', headers: { authorization: `Bearer ${alice}` }, body: form });
    expect(response.status).toBe(400);
    expect((await stack.call('POST', '/v1/incidents/INC-00000000-NOSUCH/evidence', alice, { uri: 'file:///x', sha256: 'b'.repeat(64), size: 1 })).status).toBe(404);
  });
});
