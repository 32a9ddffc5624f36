/**
 * SLA clocks on a real Temporal dev server with second-scale targets: arming, ladder order,
 * breach once, priority raise, signed webhooks, stop on leaving the stage, pause and resume,
 * re-targeting on a severity change, a failing webhook retried and recorded.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signature } from '../../activities/notify.activities.js';
import { alertBody, postAlert } from '../support/incidents.js';
import { startReceiver, type Received } from '../support/receiver.js';
import { SLA_DRILL, sleep } from '../support/sla.js';
import { startStack, type Stack } from '../support/stack.js';

let stack: Stack;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let analyst: string;
let ingest: string;
const SECRET = 'hmac-test-secret';

type Event = { seq: number; type: string; data: Record<string, any> };
const history = async (id: string) => (await stack.call('GET', `/v1/incidents/${id}/history`, analyst)).body.events as Event[];
const view = async (id: string) => (await stack.call('GET', `/v1/incidents/${id}`, analyst)).body;

async function drill(severity: string, title = 'drill'): Promise<string> {
  const created = await stack.call('POST', '/v1/incidents', analyst, { title, severity, playbook: 'sla-drill' });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return created.body.id;
}

beforeAll(async () => {
  receiver = await startReceiver();
  stack = await startStack({ connectorEnv: {}, workerEnv: { IRFLOW_TEST_HMAC: SECRET } });
  analyst = await stack.token(['analyst'], 'alice');
  ingest = await stack.token(['ingest']);
  const engineer = await stack.token(['engineer']);
  expect((await stack.call('POST', '/v1/playbooks', engineer, SLA_DRILL)).status).toBe(201);
  const channels = [
    { id: 'alice', type: 'webhook', url: `${receiver.url}/alice` },
    { id: 'soc-lead', type: 'webhook', url: `${receiver.url}/flaky-2/soc-lead`, secretEnv: 'IRFLOW_TEST_HMAC' },
    { id: 'ciso', type: 'webhook', url: `${receiver.url}/ciso` },
  ];
  expect((await stack.call('PUT', '/v1/notification-channels', stack.adminToken, channels)).status).toBe(200);
});
afterAll(async () => {
  await stack?.close();
  await receiver?.close();
});

describe('SLA clocks and escalation ladders', () => {
  it('arms on entry, climbs the ladder in order, breaches once, raises priority, notifies signed', async () => {
    const id = await drill('high');
    expect((await stack.call('POST', `/v1/incidents/${id}/assign`, analyst, { assignee: 'alice' })).body.assignee).toBe('alice');
    const armed = (await view(id)).sla as Array<Record<string, unknown>>;
    expect(armed.map((c) => [c.clock, c.stage, c.targetSeconds, c.basis])).toEqual([['resolve', null, 20, 'high'], ['stage', 'triage', 4, 'high']]);
    await sleep(7_600); // past 50% (2 s), 100% (4 s), 150% (6 s) and one repeat (7 s)

    const events = await history(id);
    const ladder = events.filter((e) => e.type === 'sla_escalated' || e.type === 'sla_breached').map((e) => (e.type === 'sla_breached' ? 'breach' : `L${e.data.level}`));
    expect(ladder.slice(0, 5)).toEqual(['L1', 'L2', 'breach', 'L3', 'L3']);
    expect(ladder.filter((l) => l === 'breach')).toHaveLength(1);
    expect(events.find((e) => e.type === 'sla_breached')!.data).toMatchObject({ clock: 'stage', stage: 'triage', targetSeconds: 4 });
    const raised = events.find((e) => e.type === 'priority_changed' && e.data.cause === 'sla escalation level 2');
    expect(raised?.data).toMatchObject({ from: 'P3', to: 'P2' });

    const current = await view(id);
    expect(current.priority).toBe('P2');
    expect(current.sla.find((c: { clock: string }) => c.clock === 'stage')).toMatchObject({ breached: true, escalationLevel: 3, paused: false });
    expect((await stack.call('GET', '/v1/incidents?slaBreached=true', analyst)).body.incidents.map((i: { id: string }) => i.id)).toContain(id);

    const mine = (path: string) => receiver.received.filter((r: Received) => r.path.endsWith(path) && r.json.incidentId === id);
    expect(mine('/alice')).toHaveLength(1);
    expect(mine('/alice')[0]!.json).toMatchObject({ incidentId: id, title: 'drill', stage: 'triage', severity: 'high', sla: 'stage', level: 1, link: `/v1/incidents/${id}` });
    const soc = mine('/soc-lead');
    expect(soc.length, 'two failures, then delivered').toBe(3);
    expect(new Set(soc.map((r) => r.headers['x-irflow-delivery'])).size, 'retries carry the same delivery id').toBe(1);
    for (const r of soc) expect(r.headers['x-irflow-signature']).toBe(signature(SECRET, r.body));
    expect(mine('/alice')[0]!.headers['x-irflow-signature'], 'no secret, no signature').toBeUndefined();
    const delivered = events.filter((e) => e.type === 'notification_delivered').map((e) => e.data.target);
    expect(delivered).toEqual(expect.arrayContaining(['assignee', 'ciso']));

    // Leaving the stage stops its clock: nothing more fires.
    expect((await stack.call('POST', `/v1/incidents/${id}/transitions`, analyst, { event: 'start' })).status).toBe(200);
    const stopped = (await history(id)).filter((e) => e.type === 'sla_escalated').length;
    await sleep(1_500);
    const after = await history(id);
    expect(after.filter((e) => e.type === 'sla_escalated').length).toBe(stopped);
    expect(after.find((e) => e.type === 'sla_stopped' && e.data.clock === 'stage')!.data).toMatchObject({ stage: 'triage', breached: true });
    expect(after.find((e) => e.type === 'sla_stopped' && e.data.clock === 'resolve'), 'work marks resolved: the resolve clock stops').toBeDefined();
    expect((await view(id)).sla).toEqual([]);
    expect(after.some((e) => e.type === 'notification_delivered' && e.data.target === 'soc-lead')).toBe(true);
  });

  it('stops the clock on hold and resumes with the remaining time', async () => {
    const id = await drill('low'); // 8 s: 50% at 4 s
    await sleep(2_000);
    expect((await stack.call('POST', `/v1/incidents/${id}/transitions`, analyst, { event: 'hold' })).status).toBe(200);
    const paused = (await view(id)).sla.find((c: { clock: string }) => c.clock === 'stage');
    expect(paused).toMatchObject({ paused: true, deadline: null });
    await sleep(4_000); // without the pause, 50% would fire here
    expect((await history(id)).filter((e) => e.type === 'sla_escalated')).toEqual([]);
    expect((await stack.call('POST', `/v1/incidents/${id}/transitions`, analyst, { event: 'resume' })).status).toBe(200);
    const events = await history(id);
    const resumed = events.find((e) => e.type === 'sla_resumed' && e.data.clock === 'stage')!;
    expect(resumed.data.elapsedSeconds, 'only running time counts').toBe(2);
    expect(events.filter((e) => e.type === 'sla_paused').map((e) => e.data.clock).sort()).toEqual(['resolve', 'stage']);
    await sleep(2_600);
    const fired = (await history(id)).filter((e) => e.type === 'sla_escalated');
    expect(fired.map((e) => e.data.level)).toEqual([1]);
    const running = (await view(id)).sla.find((c: { clock: string }) => c.clock === 'stage');
    expect(running.elapsedSeconds).toBeGreaterThanOrEqual(4);
    expect(running.elapsedSeconds).toBeLessThan(6);
  });

  it('re-targets a running clock when severity rises, counting the time spent', async () => {
    const key = { rule: { id: 'sla-drill-retarget' }, assets: [{ hostname: 'db9' }] };
    const { incidentId } = await postAlert(stack, ingest, alertBody({ ...key, severity: 'low' }));
    await sleep(1_000);
    await postAlert(stack, ingest, alertBody({ ...key, severity: 'medium' }));
    await sleep(300);
    const events = await history(incidentId);
    const retarget = events.find((e) => e.type === 'sla_retargeted' && e.data.clock === 'stage')!;
    expect(retarget.data).toMatchObject({ previousTargetSeconds: 8, targetSeconds: 6, basis: 'medium' });
    expect(retarget.data.elapsedSeconds).toBeGreaterThanOrEqual(1);
    const clock = (await view(incidentId)).sla.find((c: { clock: string }) => c.clock === 'stage');
    expect(clock).toMatchObject({ targetSeconds: 6, basis: 'medium' });
    const due = await stack.call('GET', '/v1/incidents?slaDueWithin=1h', analyst);
    expect(due.body.incidents.map((i: { id: string }) => i.id)).toContain(incidentId);
  });

  it('counts in business hours: a clock outside its calendar hours does not run', async () => {
    const dayAfterTomorrow = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'][(new Date().getUTCDay() + 2) % 7]!;
    const closed = {
      ...SLA_DRILL,
      id: 'sla-office',
      match: undefined,
      calendars: { office: { timezone: 'UTC', days: [dayAfterTomorrow], from: '09:00', to: '17:00' } },
      stages: { ...SLA_DRILL.stages, triage: { ...SLA_DRILL.stages.triage, sla: { high: '1s', calendar: 'office' } } },
    };
    expect((await stack.call('POST', '/v1/playbooks', await stack.token(['engineer']), closed)).status).toBe(201);
    const created = await stack.call('POST', '/v1/incidents', analyst, { title: 'after hours', severity: 'high', playbook: 'sla-office' });
    await sleep(2_000);
    expect((await history(created.body.id)).filter((e) => e.type === 'sla_breached')).toEqual([]);
    const clock = (await view(created.body.id)).sla.find((c: { clock: string }) => c.clock === 'stage');
    expect(clock).toMatchObject({ elapsedSeconds: 0, breached: false, calendar: `${dayAfterTomorrow} 09:00-17:00 UTC` });
    expect(Date.parse(clock.deadline) - Date.now(), 'due in the next open hours').toBeGreaterThan(24 * 3_600_000);
  });

  it('records a notification that cannot be delivered', async () => {
    const id = await drill('high', 'nobody assigned');
    await sleep(2_500);
    const failed = (await history(id)).filter((e) => e.type === 'notification_failed');
    expect(failed[0]?.data).toMatchObject({ target: 'assignee', channel: null, reason: expect.stringContaining('no assignee') });
  });
});
