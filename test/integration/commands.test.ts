/**
 * Commands to incidents: an Idempotency-Key holds across continue-as-new (Temporal forgets update
 * ids with the run), and a command the incident cannot answer in time gets a 503 with
 * Retry-After, never a request that hangs; its retry with the same key applies it once.
 */
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { latestPlaybook } from '../../db/playbooks.repo.js';
import { INCIDENT_WORKFLOW_TYPE, recordedViewUpdate, type IncidentWorkflow } from '../../workflows/incident.messages.js';
import { serverUrl } from '../support/database.js';
import { alertBody, postAlert, walkTo } from '../support/incidents.js';
import { startStack, type Stack } from '../support/stack.js';

const DEADLINE_MS = 3_000;
let stack: Stack;
let analyst: string;

beforeAll(async () => {
  stack = await startStack({ updateDeadlineMs: DEADLINE_MS });
  analyst = await stack.token(['analyst'], 'alice');
});
afterAll(async () => stack?.close());

const keyed = (id: string, event: string, key: string) =>
  stack.call('POST', `/v1/incidents/${id}/transitions`, analyst, { event }, { 'idempotency-key': key });
const transitions = async (id: string) =>
  ((await stack.call('GET', `/v1/incidents/${id}/history`, analyst)).body.events as Array<{ type: string; data: { event?: string } }>).filter((e) => e.type === 'transitioned');

describe('idempotency keys', () => {
  it('answer a retry after the incident continued as new, without applying the request twice', async () => {
    const incidentId = `INC-KEYS-CAN-${Date.now()}`;
    const playbook = (await latestPlaybook(stack.database.db, 'default'))!;
    const handle = await stack.client.workflow.start<IncidentWorkflow>(INCIDENT_WORKFLOW_TYPE, {
      workflowId: incidentId,
      taskQueue: stack.taskQueue,
      args: [{ incidentId, playbook, opening: { title: 'keys across runs', severity: 'low', openedBy: 'alice' }, runHistoryLimit: 60 }],
    });
    await handle.executeUpdate(recordedViewUpdate);
    const firstRun = (await handle.describe()).runId;
    expect((await keyed(incidentId, 'acknowledge', 'ack-1')).status).toBe(200);
    const logged = await stack.call('POST', `/v1/incidents/${incidentId}/work-log`, analyst, { minutes: 30 }, { 'idempotency-key': 'work-1' });
    expect(logged.body.effortMinutes).toBe(30);
    await walkTo(stack, analyst, incidentId, ['start_analysis']);
    for (let i = 0; i < 6 && (await handle.describe()).runId === firstRun; i += 1) await walkTo(stack, analyst, incidentId, ['hold', 'resume']);
    expect((await handle.describe()).runId, 'the incident continued as new').not.toBe(firstRun);

    const retried = await keyed(incidentId, 'acknowledge', 'ack-1');
    expect(retried.status, JSON.stringify(retried.body)).toBe(200);
    expect(retried.body.stage).toBe('analysis');
    const relogged = await stack.call('POST', `/v1/incidents/${incidentId}/work-log`, analyst, { minutes: 30 }, { 'idempotency-key': 'work-1' });
    expect(relogged.body.effortMinutes, 'the work was logged once').toBe(30);
    expect((await transitions(incidentId)).filter((t) => t.data.event === 'acknowledge')).toHaveLength(1);
    expect((await keyed(incidentId, 'acknowledge', 'ack-2')).status, 'a new key is judged afresh').toBe(409);
  });
});

describe('deadlines', () => {
  it('answer 503 with Retry-After when no worker takes the command, and the keyed retry applies it once', async () => {
    const { incidentId } = await postAlert(stack, await stack.token(['ingest']), alertBody());
    await stack.call('GET', `/v1/incidents/${incidentId}`, analyst);
    await stack.stopWorker();
    try {
      const refused = await keyed(incidentId, 'acknowledge', 'slow-1');
      expect(refused.status, JSON.stringify(refused.body)).toBe(503);
      expect(refused.headers['retry-after']).toBe('5');
      expect(refused.body.detail).toMatch(/did not answer within 3 s/);
    } finally {
      await stack.startWorker();
    }
    // A client retries on 503 with the same key; the new worker may need moments to take the incident up.
    let retried = await keyed(incidentId, 'acknowledge', 'slow-1');
    for (let i = 0; i < 20 && retried.status === 503; i += 1) retried = await keyed(incidentId, 'acknowledge', 'slow-1');
    expect(retried.status, JSON.stringify(retried.body)).toBe(200);
    expect(retried.body.stage).toBe('triage');
    expect(await transitions(incidentId)).toHaveLength(1);
  });

  it.runIf(serverUrl)('answer 503 when the database does not answer (needs DATABASE_URL)', async () => {
    const { incidentId } = await postAlert(stack, await stack.token(['ingest']), alertBody());
    const view = await stack.call('GET', `/v1/incidents/${incidentId}`, analyst);
    expect(view.status).toBe(200);
    const locker = postgres(stack.database.url!, { max: 1, onnotice: () => undefined });
    let release = () => undefined as void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let locked = () => undefined as void;
    const lockHeld = new Promise<void>((resolve) => (locked = resolve));
    const held = locker.begin(async (tx) => {
      await tx.unsafe('lock table incident_events in access exclusive mode');
      locked();
      await released;
    });
    // The transition goes only once the lock is held: sent at once, it could be recorded before the locker connected.
    await Promise.race([lockHeld, held]);
    try {
      const refused = await keyed(incidentId, 'acknowledge', 'locked-1');
      expect(refused.status, JSON.stringify(refused.body)).toBe(503);
      expect(refused.headers['retry-after']).toBeDefined();
    } finally {
      release();
      await held;
      await locker.end();
    }
    const retried = await keyed(incidentId, 'acknowledge', 'locked-1');
    expect(retried.status).toBe(200);
    expect(await transitions(incidentId)).toHaveLength(1);
  });
});
