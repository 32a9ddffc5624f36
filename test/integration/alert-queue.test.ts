/**
 * Alerts stored but not yet delivered: a request answers within its delivery budget with the rest
 * queued, and every queued alert - and one a crash left behind after storing it - reaches its
 * incident by itself, once.
 */
import { like } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alerts } from '../../db/schema.js';
import { alertBody } from '../support/incidents.js';
import { eventually } from '../support/eventually.js';
import { startStack, type Stack } from '../support/stack.js';

/** Undelivered alerts beyond which this stack's intake answers 503 (50,000 by default). */
const QUEUE_CAP = 200;

let stack: Stack;
let ingest: string;
let analyst: string;

beforeAll(async () => {
  stack = await startStack({ deliveryBudgetMs: 1, redeliveryEveryMs: 200, maxQueuedAlerts: QUEUE_CAP });
  ingest = await stack.token(['ingest'], 'siem');
  analyst = await stack.token(['analyst'], 'alice');
});
afterAll(async () => stack?.close());


describe('queued alerts', () => {
  it('answers past the delivery budget with the rest queued, and every queued alert reaches its incident once', async () => {
    const batch = Array.from({ length: 60 }, (_, i) => alertBody({ rule: { id: 'queue-rule' }, assets: [{ hostname: `queue-host-${i % 30}` }] }));
    const response = await stack.call('POST', '/v1/alerts/generic', ingest, batch);
    expect(response.status).toBe(202);
    const answers = response.body as Array<{ alertId: string; incidentId: string; deduplicated: boolean; queued?: boolean }>;
    expect(answers.filter((a) => a.queued).length, 'a 1 ms budget leaves alerts queued').toBeGreaterThan(0);
    expect(answers.every((a) => !a.deduplicated)).toBe(true);

    const queued = answers.find((a) => a.queued)!;
    const early = await stack.call('GET', `/v1/incidents/${queued.incidentId}`, analyst);
    expect([200, 503], JSON.stringify(early.body)).toContain(early.status);
    if (early.status === 503) expect(early.headers['retry-after']).toBe('2');

    const incidents = [...new Set(answers.map((a) => a.incidentId))];
    for (const id of incidents) {
      const view = await eventually(async () => (await stack.call('GET', `/v1/incidents/${id}`, analyst)).body, (v) => v?.alertCount === 2, `${id} holds its two alerts`);
      expect(view.alertCount).toBe(2);
    }
    const rows = await stack.database.db.query.alerts.findMany({ where: (t, { inArray }) => inArray(t.id, answers.map((a) => a.alertId)) });
    expect(rows.every((r) => r.deliveredAt !== null)).toBe(true);
  });

  it('delivers an alert a crash left stored but undelivered', async () => {
    const body = alertBody({ rule: { id: 'crashed-intake' }, assets: [{ hostname: 'crash1' }] });
    const incidentId = `INC-20261202-CRASH${Date.now() % 1000}`;
    await stack.database.db.insert(alerts).values({
      id: `crashed-${Date.now()}`,
      source: 'generic',
      sourceId: body.sourceId,
      incidentId,
      title: body.title,
      severity: 'high',
      ruleId: 'crashed-intake',
      correlationKey: 'generic|rule:crashed-intake|asset:crash1',
      assets: body.assets,
      receivedAt: new Date(Date.now() - 60_000),
    });
    const view = await eventually(async () => (await stack.call('GET', `/v1/incidents/${incidentId}`, analyst)).body, (v) => v?.alertCount === 1, 'the incident opens with the alert');
    expect(view).toMatchObject({ id: incidentId, title: body.title, severity: 'high' });
    const repeat = await stack.call('POST', '/v1/alerts/generic', ingest, body);
    expect(repeat.body).toMatchObject({ incidentId, deduplicated: true });
  });

  it('answers 503 with Retry-After while too many alerts wait for delivery, storing nothing, and takes alerts again once they are delivered', async () => {
    // As a long Temporal outage leaves them: stored and routed, not delivered (received now, so redelivery waits its turn).
    const now = new Date();
    await stack.database.db.insert(alerts).values(
      Array.from({ length: QUEUE_CAP }, (_, i) => ({
        id: `cap-${i}-${now.getTime()}`,
        source: 'generic',
        sourceId: `cap-${i}-${now.getTime()}`,
        incidentId: `INC-20261206-CAP${i}`,
        title: 'waiting for Temporal',
        severity: 'low',
        correlationKey: `generic|cap-${i}`,
        assets: [],
        receivedAt: now,
      })),
    );
    // A count under the cap stands for a second, so a request or two may still be taken; then every one is refused.
    let body = alertBody();
    const refused = await eventually(
      async () => {
        body = alertBody({ rule: { id: 'after-the-outage' }, assets: [{ hostname: 'cap-host' }] });
        return stack.call('POST', '/v1/alerts/generic', ingest, body);
      },
      (answer) => answer.status !== 202,
      'intake refuses once the queue is full',
    );
    expect(refused.status).toBe(503);
    expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(refused.headers['retry-after']).toBe('30');
    expect(refused.body.detail).toMatch(/200 alerts wait to reach their incidents/);
    expect(await stack.database.db.query.alerts.findFirst({ where: (t, { eq }) => eq(t.sourceId, body.sourceId) })).toBeUndefined();

    // Temporal is back and the queue drained: the very next request counts again and is taken.
    await stack.database.db.update(alerts).set({ deliveredAt: new Date() }).where(like(alerts.sourceId, `cap-%-${now.getTime()}`));
    const taken = await stack.call('POST', '/v1/alerts/generic', ingest, body);
    expect(taken.status).toBe(202);
    expect(taken.body).toMatchObject({ deduplicated: false });
  });
});
