/**
 * A worker process killed with SIGKILL in the middle of a lifecycle, while transitions and
 * alerts keep arriving, and a new worker process started: nothing accepted is lost or doubled.
 * The worker runs as its own process (`npm run worker`), so this needs a Postgres server
 * (DATABASE_URL, as in CI): the embedded database cannot be shared between processes.
 */
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIELDS_FOR, alertBody, postAlert, transition, walkTo } from '../support/incidents.js';
import { serverUrl } from '../support/database.js';
import { startStack, type Stack } from '../support/stack.js';
import { killWorker, startWorkerProcess } from '../support/worker-process.js';

let stack: Stack;
let worker: ChildProcess | undefined;

describe.runIf(serverUrl)('a worker process killed mid-lifecycle (needs DATABASE_URL)', () => {
  beforeAll(async () => {
    stack = await startStack({ worker: false });
    worker = startWorkerProcess(stack);
  });
  afterAll(async () => {
    await killWorker(worker);
    await stack?.close();
  });

  it('loses and doubles nothing that was accepted', async () => {
    const ingest = await stack.token(['ingest']);
    const analyst = await stack.token(['analyst'], 'alice');
    const auditor = await stack.token(['auditor']);
    const key = { rule: { id: 'worker-kill' }, assets: [{ hostname: 'app01' }] };
    const first = await postAlert(stack, ingest, alertBody(key));
    await walkTo(stack, analyst, first.incidentId, ['acknowledge', 'start_analysis']);

    // Fire a transition and alerts, and kill the worker while it works on them.
    const pending = transition(stack, analyst, first.incidentId, 'contain', { comment: 'isolating app01' });
    const more = [await postAlert(stack, ingest, alertBody(key)), await postAlert(stack, ingest, alertBody({ ...key, severity: 'critical' }))];
    await killWorker(worker);
    const whileDown = await postAlert(stack, ingest, alertBody(key));
    expect([...more, whileDown].every((a) => a.incidentId === first.incidentId)).toBe(true);

    worker = startWorkerProcess(stack);
    const contained = await pending;
    expect(contained.status, JSON.stringify(contained.body)).toBe(200);
    expect(contained.body.stage).toBe('containment');

    // Kill it once more between two transitions, then finish the walk.
    await killWorker(worker);
    worker = startWorkerProcess(stack);
    const closed = await walkTo(stack, analyst, first.incidentId, ['eradicate', 'recover', 'resolve', 'close']);
    expect(closed).toMatchObject({ stage: 'closed', alertCount: 4, severity: 'critical', fields: { ...FIELDS_FOR.resolve, ...FIELDS_FOR.close } });

    const events = (await stack.call('GET', `/v1/incidents/${first.incidentId}/history`, auditor)).body.events as Array<{ seq: number; type: string; data: { event?: string; alertId?: string } }>;
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    const alertIds = events.filter((e) => e.type === 'alert_received').map((e) => e.data.alertId);
    expect(new Set(alertIds).size, 'each accepted alert recorded once').toBe(4);
    expect(alertIds).toHaveLength(4);
    expect(events.filter((e) => e.type === 'transitioned').map((e) => e.data.event)).toEqual([
      'acknowledge', 'start_analysis', 'contain', 'eradicate', 'recover', 'resolve', 'close',
    ]);
    expect((await stack.call('GET', `/v1/incidents/${first.incidentId}/history/verify`, auditor)).body).toEqual({ valid: true, events: events.length, signature: { valid: true, keyId: stack.keyRing.signer!.id }, history: { consistent: true, recorded: events.length } });
    const timings = await stack.database.db.query.stageTimings.findMany({ where: (t, { eq }) => eq(t.incidentId, first.incidentId) });
    expect(timings.map((t) => t.stage)).toEqual(['new', 'triage', 'analysis', 'containment', 'eradication', 'recovery', 'review', 'closed']);
  });
});
