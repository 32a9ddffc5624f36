/**
 * Durability of the Temporal side: a dev server killed and restarted on its data file with
 * incidents open, and continue-as-new (suggested early by the server's dynamic config) carrying
 * an incident's whole state into the next run.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertBody, postAlert, walkTo } from '../support/incidents.js';
import { startStack, type Stack } from '../support/stack.js';

let stack: Stack;
let dir: string;
let ingest: string;
let analyst: string;
let auditor: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'irflow-durability-'));
  stack = await startStack({
    temporal: { dbFile: join(dir, 'temporal.sqlite'), dynamicConfig: { 'limit.historyCount.suggestContinueAsNew': 60 } },
  });
  ingest = await stack.token(['ingest']);
  analyst = await stack.token(['analyst'], 'alice');
  auditor = await stack.token(['auditor']);
});
afterAll(async () => {
  await stack?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function history(id: string) {
  return (await stack.call('GET', `/v1/incidents/${id}/history`, auditor)).body.events as Array<{ seq: number; type: string; data: Record<string, unknown> }>;
}

describe('a Temporal dev server killed and restarted on its data file', () => {
  it('keeps every accepted alert and transition, and open incidents go on', async () => {
    const first = await postAlert(stack, ingest, alertBody({ rule: { id: 'restart' }, assets: [{ hostname: 'db01' }] }));
    await walkTo(stack, analyst, first.incidentId, ['acknowledge', 'start_analysis']);
    const before = (await stack.call('GET', `/v1/incidents/${first.incidentId}`, analyst)).body;

    await stack.stopWorker();
    const extra = await postAlert(stack, ingest, alertBody({ rule: { id: 'restart' }, assets: [{ hostname: 'db01' }], severity: 'critical' }));
    expect(extra.incidentId).toBe(first.incidentId);
    stack.temporal.process.kill('SIGKILL');
    await new Promise((resolve) => stack.temporal.process.once('exit', resolve));
    await stack.restartTemporal();
    await stack.startWorker();

    const after = await walkTo(stack, analyst, first.incidentId, ['contain']);
    expect(after).toMatchObject({ stage: 'containment', alertCount: 2, severity: 'critical', createdAt: before.createdAt });
    const events = await history(first.incidentId);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    expect(events.filter((e) => e.type === 'alert_received')).toHaveLength(2);
    expect(events.filter((e) => e.type === 'transitioned').map((e) => e.data.event)).toEqual(['acknowledge', 'start_analysis', 'contain']);
    expect((await stack.call('GET', `/v1/incidents/${first.incidentId}/history/verify`, auditor)).body.valid).toBe(true);
  });
});

describe('continue-as-new', () => {
  it('carries the machine snapshot and the incident into a new run when Temporal suggests it', async () => {
    const { incidentId } = await postAlert(stack, ingest, alertBody({ severity: 'high' }));
    await walkTo(stack, analyst, incidentId, ['acknowledge', 'start_analysis']);
    const handle = stack.client.workflow.getHandle(incidentId);
    const firstRun = (await handle.describe()).runId;
    for (let i = 0; i < 8; i += 1) await walkTo(stack, analyst, incidentId, ['hold', 'resume']);
    await walkTo(stack, analyst, incidentId, ['contain', 'eradicate', 'recover']);
    const view = await walkTo(stack, analyst, incidentId, ['resolve']);

    expect((await handle.describe()).runId, 'the workflow continued as new at least once').not.toBe(firstRun);
    expect(view).toMatchObject({ stage: 'review', alertCount: 1, severity: 'high', fields: { rootCause: expect.any(String) } });
    const events = await history(incidentId);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    expect(events.filter((e) => e.type === 'transitioned')).toHaveLength(2 + 16 + 4);
    // The ledger against the hashes the workflow recorded, over every run.
    const verified = (await stack.call('GET', `/v1/incidents/${incidentId}/history/verify`, auditor)).body;
    expect(verified).toMatchObject({ valid: true, history: { consistent: true, recorded: events.length } });
    const milestones = (await stack.database.db.query.incidents.findFirst({ where: (t, { eq }) => eq(t.id, incidentId) }))!.milestones;
    expect(Object.keys(milestones).sort()).toEqual(['acknowledged', 'contained', 'eradicated', 'recovered', 'resolved']);
    // A re-sent alert from before the new run is still known and not counted again.
    const alerts = await stack.database.db.query.alerts.findMany({ where: (t, { eq }) => eq(t.incidentId, incidentId) });
    await stack.client.workflow.getHandle(incidentId).signal('alertReceived', {
      alertId: alerts[0]!.id, source: 'generic', sourceId: alerts[0]!.sourceId, title: 't', severity: 'high', receivedAt: new Date().toISOString(),
    });
    expect((await stack.call('GET', `/v1/incidents/${incidentId}`, analyst)).body.alertCount).toBe(1);
  });
});
