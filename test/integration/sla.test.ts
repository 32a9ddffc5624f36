/**
 * SLA clocks on Temporal's time-skipping test server: the test skips time and the durable timers
 * fire as they would, in order, without waiting for the wall clock and without racing it on a
 * busy machine. Everything is asserted on the recorded events (their own times and figures),
 * after a barrier that waits until every accepted step is recorded.
 *
 * The drill's targets are hours, not seconds. Between skips the server's clock runs at wall
 * speed, and the time-skipping server strands a run whose workflow task cancels a timer that
 * fired while the task was with the worker ("invalid history builder state for action",
 * temporalio/sdk-java#3088): with second-scale targets a ladder step fell due while a test's
 * request woke the workflow, and on a loaded machine whole tests hung. With hours, no timer falls
 * due between skips.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { webhookSigner } from '../../activities/notify.activities.js';
import { recordedViewUpdate } from '../../workflows/incident.messages.js';
import { alertBody, postAlert } from '../support/incidents.js';
import { startReceiver, type Received } from '../support/receiver.js';
import { slaDrill } from '../support/sla.js';
import { startStack, type Stack } from '../support/stack.js';

let stack: Stack;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let analyst: string;
let ingest: string;
const SECRET = 'hmac-test-secret';
const HOUR = 3_600_000;
/** The drill's unit of time (targets, ladder steps and repeats are counted in it). */
const U = HOUR;
const UNIT_SECONDS = U / 1000;
const SLA_DRILL = slaDrill('h');

type Event = { seq: number; at: string; type: string; data: Record<string, any> };
const history = async (id: string) => (await stack.call('GET', `/v1/incidents/${id}/history`, analyst)).body.events as Event[];
const view = async (id: string) => (await stack.call('GET', `/v1/incidents/${id}`, analyst)).body;
const skip = (ms: number) => stack.timeSkipping!.skip(ms);
/** Waits until every step the incident accepted so far is recorded; returns its history. */
async function settled(id: string): Promise<Event[]> {
  await stack.client.workflow.getHandle(id).executeUpdate(recordedViewUpdate);
  return history(id);
}
/** The history once `done` holds (side work such as webhook deliveries lands when it lands). */
async function until(id: string, done: (events: Event[]) => boolean, what: string): Promise<Event[]> {
  for (let i = 0; i < 600; i += 1) {
    const events = await history(id);
    if (done(events)) return events;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`incident ${id} never recorded: ${what}`);
}
const ladder = (events: Event[]) => events.filter((e) => e.type === 'sla_escalated' || e.type === 'sla_breached').map((e) => (e.type === 'sla_breached' ? 'breach' : `L${e.data.level}`));
const ms = (event: Event) => Date.parse(event.at);
const stageClock = (events: Event[], type: string) => events.find((e) => e.type === type && e.data.clock === 'stage')!;

const drills: string[] = [];
async function drill(severity: string, title = 'drill', playbook = 'sla-drill'): Promise<string> {
  const created = await stack.call('POST', '/v1/incidents', analyst, { title, severity, playbook });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  drills.push(created.body.id);
  return created.body.id;
}

/** Moves every drill out of its clocks, so the next test's long skips fire nothing of this one's. */
async function quietDrills(): Promise<void> {
  for (const id of drills.splice(0)) {
    const { stage } = await view(id);
    if (stage === 'on_hold') await stack.call('POST', `/v1/incidents/${id}/transitions`, analyst, { event: 'resume' });
    if (stage === 'on_hold' || stage === 'triage') await stack.call('POST', `/v1/incidents/${id}/transitions`, analyst, { event: 'start' });
    expect((await view(id)).sla, `${id} has no clock running`).toEqual([]);
  }
}

beforeAll(async () => {
  receiver = await startReceiver();
  stack = await startStack({ timeSkipping: true, connectorEnv: {}, workerEnv: { IRFLOW_SECRET_TEST_HMAC: SECRET } });
  analyst = await stack.token(['analyst'], 'alice');
  ingest = await stack.token(['ingest']);
  const engineer = await stack.token(['engineer']);
  expect((await stack.call('POST', '/v1/playbooks', engineer, SLA_DRILL)).status).toBe(201);
  const channels = [
    { id: 'alice', type: 'webhook', url: `${receiver.url}/alice` },
    { id: 'soc-lead', type: 'webhook', url: `${receiver.url}/flaky-2/soc-lead`, secretEnv: 'IRFLOW_SECRET_TEST_HMAC' },
    { id: 'ciso', type: 'webhook', url: `${receiver.url}/ciso` },
  ];
  // A signing secret must be an IRFLOW_SECRET_* variable: no channel can sign with DATABASE_URL and leak it.
  const leaky = await stack.call('PUT', '/v1/notification-channels', stack.adminToken, [{ ...channels[1], secretEnv: 'DATABASE_URL' }]);
  expect(leaky.status).toBe(400);
  expect(JSON.stringify(leaky.body)).toContain('secretEnv');
  expect((await stack.call('PUT', '/v1/notification-channels', stack.adminToken, channels)).status).toBe(200);
});
afterEach(quietDrills);
afterAll(async () => {
  await stack?.close();
  await receiver?.close();
});

describe('SLA clocks and escalation ladders', () => {
  it('arms on entry, climbs the ladder in order, breaches once, raises priority, notifies signed', async () => {
    const id = await drill('high');
    expect((await stack.call('POST', `/v1/incidents/${id}/assign`, analyst, { assignee: 'alice' })).body.assignee).toBe('alice');
    const armed = (await view(id)).sla as Array<Record<string, unknown>>;
    expect(armed.map((c) => [c.clock, c.stage, c.targetSeconds, c.basis])).toEqual([['resolve', null, 20 * UNIT_SECONDS, 'high'], ['stage', 'triage', 4 * UNIT_SECONDS, 'high']]);
    await skip(7.6 * U); // past 50% (2 U), 100% (4 U), 150% (6 U) and one repeat (7 U)

    const events = await settled(id);
    expect(ladder(events).slice(0, 5)).toEqual(['L1', 'L2', 'breach', 'L3', 'L3']);
    expect(ladder(events).filter((l) => l === 'breach')).toHaveLength(1);
    const fired = events.filter((e) => e.type === 'sla_escalated' || e.type === 'sla_breached').slice(0, 5);
    expect(fired.map((e) => e.data.elapsedSeconds), 'each fired at its share of the 4 U target').toEqual([2, 4, 4, 6, 7].map((n) => n * UNIT_SECONDS));
    expect(events.find((e) => e.type === 'sla_breached')!.data).toMatchObject({ clock: 'stage', stage: 'triage', targetSeconds: 4 * UNIT_SECONDS });
    const raised = events.find((e) => e.type === 'priority_changed' && e.data.cause === 'sla escalation level 2');
    expect(raised?.data).toMatchObject({ from: 'P3', to: 'P2' });
    expect(await view(id)).toMatchObject({ priority: 'P2' });
    expect((await view(id)).sla.find((c: { clock: string }) => c.clock === 'stage')).toMatchObject({ breached: true, paused: false });
    expect((await stack.call('GET', '/v1/incidents?slaBreached=true', analyst)).body.incidents.map((i: { id: string }) => i.id)).toContain(id);

    const done = await until(id, (all) => all.some((e) => e.type === 'notification_delivered' && e.data.target === 'soc-lead'), 'soc-lead is notified after two failures');
    const mine = (path: string) => receiver.received.filter((r: Received) => r.path.endsWith(path) && r.json.incidentId === id);
    expect(mine('/alice')).toHaveLength(1);
    expect(mine('/alice')[0]!.json).toMatchObject({ incidentId: id, title: 'drill', stage: 'triage', severity: 'high', sla: 'stage', level: 1, link: `/v1/incidents/${id}` });
    const soc = mine('/soc-lead');
    expect(soc.length, 'two failures, then delivered').toBe(3);
    expect(new Set(soc.map((r) => r.headers['x-irflow-delivery'])).size, 'retries carry the same delivery id').toBe(1);
    // Each attempt signed the Standard Webhooks way, verified as a receiver would (timestamp within 5 minutes).
    for (const r of soc) expect(webhookSigner(SECRET).verify(r.body, r.headers as Record<string, string>)).toMatchObject({ incidentId: id });
    expect(soc.every((r) => r.headers['webhook-id'] === soc[0]!.headers['x-irflow-delivery'])).toBe(true);
    expect(mine('/alice')[0]!.headers['webhook-signature'], 'no secret, no signature').toBeUndefined();
    expect(done.filter((e) => e.type === 'notification_delivered').map((e) => e.data.target)).toEqual(expect.arrayContaining(['assignee', 'soc-lead', 'ciso']));

    // Leaving the stage stops its clock: ten units later nothing more has fired.
    expect((await stack.call('POST', `/v1/incidents/${id}/transitions`, analyst, { event: 'start' })).status).toBe(200);
    const stopped = (await settled(id)).filter((e) => e.type === 'sla_escalated').length;
    await skip(10 * U);
    const after = await settled(id);
    expect(after.filter((e) => e.type === 'sla_escalated').length).toBe(stopped);
    expect(stageClock(after, 'sla_stopped').data).toMatchObject({ stage: 'triage', breached: true });
    expect(after.find((e) => e.type === 'sla_stopped' && e.data.clock === 'resolve'), 'work marks resolved: the resolve clock stops').toBeDefined();
    expect((await view(id)).sla).toEqual([]);
  });

  it('stops the clock on hold and resumes with the remaining time', async () => {
    const id = await drill('low'); // 8 U: 50% at 4 U
    await skip(2 * U);
    expect((await stack.call('POST', `/v1/incidents/${id}/transitions`, analyst, { event: 'hold' })).status).toBe(200);
    expect((await view(id)).sla.find((c: { clock: string }) => c.clock === 'stage')).toMatchObject({ paused: true, deadline: null });
    await skip(24 * U); // were the pause counted, 50% and the breach would fire in it
    expect(ladder(await settled(id))).toEqual([]);
    expect((await stack.call('POST', `/v1/incidents/${id}/transitions`, analyst, { event: 'resume' })).status).toBe(200);
    await skip(6.1 * U);
    const events = await settled(id);
    const [armed, paused, resumed] = [stageClock(events, 'sla_armed'), stageClock(events, 'sla_paused'), stageClock(events, 'sla_resumed')];
    const runningBeforePause = ms(paused) - ms(armed);
    expect(resumed.data.elapsedSeconds, 'only running time counts').toBe(Math.round(runningBeforePause / 1000));
    expect(events.filter((e) => e.type === 'sla_paused').map((e) => e.data.clock).sort()).toEqual(['resolve', 'stage']);
    const l1 = events.find((e) => e.type === 'sla_escalated')!;
    expect(l1.data).toMatchObject({ level: 1, elapsedSeconds: 4 * UNIT_SECONDS });
    expect(ms(l1) - ms(resumed), 'L1 waits for the running time it still lacks after the resume').toBeGreaterThanOrEqual(4 * U - runningBeforePause);
    expect(ladder(events).slice(0, 3)).toEqual(['L1', 'L2', 'breach']);
  });

  it('re-targets a running clock when severity rises, counting the time spent', async () => {
    const key = { rule: { id: 'sla-drill-retarget' }, assets: [{ hostname: 'db9' }] };
    const { incidentId } = await postAlert(stack, ingest, alertBody({ ...key, severity: 'low' }));
    drills.push(incidentId);
    await settled(incidentId);
    await skip(U);
    await postAlert(stack, ingest, alertBody({ ...key, severity: 'medium' }));
    const events = await until(incidentId, (all) => all.some((e) => e.type === 'sla_retargeted' && e.data.clock === 'stage'), 'the stage clock is re-targeted');
    const retarget = stageClock(events, 'sla_retargeted');
    expect(retarget.data).toMatchObject({ previousTargetSeconds: 8 * UNIT_SECONDS, targetSeconds: 6 * UNIT_SECONDS, basis: 'medium' });
    expect(retarget.data.elapsedSeconds).toBe(Math.round((ms(retarget) - ms(stageClock(events, 'sla_armed'))) / 1000));
    expect(retarget.data.elapsedSeconds).toBeGreaterThanOrEqual(UNIT_SECONDS);
    expect((await view(incidentId)).sla.find((c: { clock: string }) => c.clock === 'stage')).toMatchObject({ targetSeconds: 6 * UNIT_SECONDS, basis: 'medium' });
  });

  it('counts in business hours: a clock runs only in its calendar hours, and breaches once they open', async () => {
    const now = await stack.timeSkipping!.now();
    const opensOn = new Date(now + 2 * 24 * HOUR);
    const day = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'][opensOn.getUTCDay()]!;
    const opening = Date.UTC(opensOn.getUTCFullYear(), opensOn.getUTCMonth(), opensOn.getUTCDate(), 9);
    const office = {
      ...SLA_DRILL,
      id: 'sla-office',
      match: undefined,
      calendars: { office: { timezone: 'UTC', days: [day], from: '09:00', to: '17:00' } },
      stages: { ...SLA_DRILL.stages, triage: { ...SLA_DRILL.stages.triage, sla: { high: '1h', calendar: 'office' } } },
    };
    expect((await stack.call('POST', '/v1/playbooks', await stack.token(['engineer']), office)).status).toBe(201);
    const id = await drill('high', 'after hours', 'sla-office');
    await skip(24 * HOUR);
    expect((await settled(id)).filter((e) => e.type === 'sla_breached' && e.data.clock === 'stage')).toEqual([]);
    expect((await view(id)).sla.find((c: { clock: string }) => c.clock === 'stage')).toMatchObject({ breached: false, calendar: `${day} 09:00-17:00 UTC` });
    await skip(opening - (await stack.timeSkipping!.now()) + U + 5 * 60_000);
    const breach = stageClock(await settled(id), 'sla_breached');
    expect(ms(breach), 'breached one business hour after the office opened').toBeGreaterThanOrEqual(opening + U);
    expect(ms(breach) - opening, 'not a day later').toBeLessThan(2 * HOUR);
  });

  it('records a notification that cannot be delivered', async () => {
    const id = await drill('high', 'nobody assigned');
    await skip(2.5 * U);
    const events = await until(id, (all) => all.some((e) => e.type === 'notification_failed'), 'the failed delivery is recorded');
    expect(events.find((e) => e.type === 'notification_failed')!.data).toMatchObject({ target: 'assignee', channel: null, reason: expect.stringContaining('no assignee') });
  });
});
