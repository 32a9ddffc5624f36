/**
 * Links and merges through the HTTP API on a real Temporal dev server and the test database:
 * both sides of a link show it; a merge moves the source's alerts (and so their observables),
 * outstanding tasks, notes and evidence to the target, closes the source through its playbook's
 * duplicate path or the `merged` close, and alerts on the source's correlation key land in the
 * target afterwards. Both ledgers verify and replay.
 */
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uploadEvidence } from '../support/evidence-files.js';
import { alertBody, postAlert, walkTo } from '../support/incidents.js';
import { startStack, type Stack } from '../support/stack.js';

let stack: Stack;
let base: string;
let ingest: string;
let alice: string; // analyst
let audrey: string; // auditor

beforeAll(async () => {
  stack = await startStack();
  [ingest, alice, audrey] = await Promise.all([stack.token(['ingest'], 'siem'), stack.token(['analyst'], 'alice'), stack.token(['auditor'], 'audrey')]);
  base = await stack.app.listen({ port: 0, host: '127.0.0.1' });
});
afterAll(async () => stack?.close());

const reported = async (title: string) => (await stack.call('POST', '/v1/incidents', alice, { title, severity: 'medium' })).body.id as string;
const relations = async (id: string) => ((await stack.call('GET', `/v1/incidents/${id}/links`, alice)).body.links as Array<{ incidentId: string; relation: string }>).map((l) => [l.incidentId, l.relation]);

async function ledgerHolds(id: string): Promise<void> {
  expect((await stack.call('GET', `/v1/incidents/${id}/history/verify`, audrey)).body).toMatchObject({ valid: true });
  const replay = await stack.call('POST', `/v1/incidents/${id}/replay`, audrey);
  expect(replay.body, JSON.stringify(replay.body)).toMatchObject({ deterministic: true, machineConsistent: true });
}

describe('links', () => {
  it('shows a link on both sides, each as it reads from there, and links once', async () => {
    const [a, b] = [await reported('A'), await reported('B')];
    for (let i = 0; i < 2; i += 1) expect((await stack.call('POST', `/v1/incidents/${a}/links`, alice, { incidentId: b, relation: 'caused-by' })).status).toBe(201);
    expect(await relations(a)).toEqual([[b, 'caused-by']]);
    expect(await relations(b)).toEqual([[a, 'caused']]);
    expect((await stack.call('GET', `/v1/incidents/${b}`, alice)).body.links).toMatchObject([{ incidentId: a, relation: 'caused', by: 'alice' }]);
    expect((await stack.call('POST', `/v1/incidents/${a}/links`, alice, { incidentId: a, relation: 'related' })).status).toBe(409);
    expect((await stack.call('POST', `/v1/incidents/${a}/links`, alice, { incidentId: 'INC-00000000-NOSUCH', relation: 'related' })).status).toBe(404);
    await ledgerHolds(a);
  });
});

describe('merge', () => {
  it('moves alerts, tasks, notes and evidence, closes the source as a duplicate, and routes its key to the target', async () => {
    const key = { rule: { id: 'merge-rule', name: 'Beacon' }, assets: [{ hostname: 'merge-host' }] };
    const source = (await postAlert(stack, ingest, alertBody({ ...key, observables: [{ type: 'domain', value: 'merge-c2.example' }] }))).incidentId as string;
    await postAlert(stack, ingest, alertBody(key));
    await walkTo(stack, alice, source, ['acknowledge']);
    const target = await reported('The same beacon, reported by the help desk');
    const task = await stack.call('POST', `/v1/incidents/${source}/tasks`, alice, { title: 'Pull the proxy log' });
    await stack.call('POST', `/v1/incidents/${source}/notes`, alice, { body: 'seen from merge-host only' });
    const file = join(tmpdir(), `merge-evidence-${Date.now()}.txt`);
    await writeFile(file, 'proxy log excerpt');
    const evidence = await uploadEvidence({ url: `${base}/v1/incidents/${source}/evidence`, token: alice, path: file, name: 'proxy.log' });
    expect(evidence.status).toBe(201);

    const merged = await stack.call('POST', `/v1/incidents/${source}/merge`, alice, { into: target });
    expect(merged.status, JSON.stringify(merged.body)).toBe(200);
    expect(merged.body.alertsMoved).toBe(2);
    expect(merged.body.source).toMatchObject({ stage: 'closed', fields: { resolution: `merged into ${target}` } });
    const history = (await stack.call('GET', `/v1/incidents/${source}/history`, audrey)).body.events as Array<{ type: string; data: Record<string, unknown> }>;
    expect(history.find((e) => e.type === 'transitioned' && e.data.event === 'close_duplicate')).toBeDefined();

    const view = (await stack.call('GET', `/v1/incidents/${target}`, alice)).body;
    expect(view.links).toMatchObject([{ incidentId: source, relation: 'merged-from' }]);
    expect(view.tasks.map((t: { id: string }) => t.id)).toContain(task.body.id);
    expect(view.observables.map((o: { value: string }) => o.value)).toContain('merge-c2.example');
    await expect.poll(async () => (await stack.call('GET', `/v1/incidents/${target}`, alice)).body.alertCount, { timeout: 30_000 }).toBe(2);
    expect((await stack.call('GET', `/v1/incidents/${target}/notes`, alice)).body.notes).toMatchObject([{ incidentId: source, body: 'seen from merge-host only' }]);
    const items = (await stack.call('GET', `/v1/incidents/${target}/evidence`, alice)).body.evidence;
    expect(items).toMatchObject([{ id: evidence.body.id, incidentId: source }]);
    expect((await stack.call('GET', `/v1/incidents/${target}/evidence/${evidence.body.id}/content`, alice)).body).toBe('proxy log excerpt');

    const later = await postAlert(stack, ingest, alertBody(key));
    expect(later.incidentId).toBe(target);
    expect(await relations(source)).toEqual([[target, 'merged-into']]);
    const timeline = (await stack.call('GET', `/v1/incidents/${source}/timeline?limit=500`, alice)).body.entries as Array<{ kind: string; summary: string }>;
    expect(timeline.filter((e) => e.kind === 'evidence').map((e) => e.summary)).toEqual([expect.stringMatching(/^evidence proxy\.log added/), `evidence ${evidence.body.id} downloaded`]);
    expect(timeline.find((e) => e.kind === 'link' && e.summary === `merged into ${target}`)).toBeDefined();
    expect((await stack.call('POST', `/v1/incidents/${source}/merge`, alice, { into: target })).status).toBe(200);
    await ledgerHolds(source);
    await ledgerHolds(target);
  });

  it('closes a source that has no duplicate path from its stage through the merged close', async () => {
    const [source, target] = [await reported('Fresh'), await reported('Older')];
    const merged = await stack.call('POST', `/v1/incidents/${source}/merge`, alice, { into: target });
    expect(merged.status, JSON.stringify(merged.body)).toBe(200);
    expect(merged.body.source).toMatchObject({ stage: 'closed', fields: { mergedInto: target } });
    const transitioned = ((await stack.call('GET', `/v1/incidents/${source}/history`, audrey)).body.events as Array<{ type: string; from: string; data: { event?: string } }>).find((e) => e.type === 'transitioned');
    expect(transitioned).toMatchObject({ from: 'new', data: { event: 'irflow:merged' } });
    await ledgerHolds(source);
    expect((await stack.call('POST', `/v1/incidents/${target}/merge`, alice, { into: source })).status).toBe(409);
    const third = await reported('Third');
    const closedAgain = await stack.call('POST', `/v1/incidents/${source}/merge`, alice, { into: third });
    expect(closedAgain.status).toBe(409);
    expect(closedAgain.body.type).toBe('urn:irflow:problem:incident-closed');
    expect(await relations(third), 'the target records no merge that did not happen').toEqual([]);
  });
});
