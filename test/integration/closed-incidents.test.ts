/**
 * Alerts for incidents that can take no more: one routed to an incident in the moment it closes
 * goes to a new incident (never vanishes), and the key moves with it, so the next alert joins
 * that new incident instead of opening yet another.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCorrelations } from '../../db/schema.js';
import { alertBody, postAlert, walkTo, FULL_WALK } from '../support/incidents.js';
import { eventually } from '../support/eventually.js';
import { startStack, type Stack } from '../support/stack.js';

let stack: Stack;
let analyst: string;
let ingest: string;

beforeAll(async () => {
  stack = await startStack();
  analyst = await stack.token(['analyst'], 'alice');
  ingest = await stack.token(['ingest'], 'siem');
});
afterAll(async () => stack?.close());


const holderOf = async (key: string) => (await stack.database.db.query.openCorrelations.findFirst({ where: (t, { eq }) => eq(t.key, key) }))?.incidentId;
const alertRow = (sourceId: string) => stack.database.db.query.alerts.findFirst({ where: (t, { eq }) => eq(t.sourceId, sourceId) });
const history = async (id: string) => (await stack.call('GET', `/v1/incidents/${id}/history`, analyst)).body.events as Array<{ type: string; data: any }>;

describe('alerts for an incident that can take no more', () => {
  it('forwards an alert that reaches a closed incident to a new one, which then holds the key', async () => {
    const key = { rule: { id: 'closing-race' }, assets: [{ hostname: 'mail1' }] };
    const first = await postAlert(stack, ingest, alertBody(key));
    await walkTo(stack, analyst, first.incidentId, FULL_WALK);
    const correlationKey = 'generic|rule:closing-race|asset:mail1';
    await eventually(() => holderOf(correlationKey), (holder) => holder === undefined, 'the closed incident releases its key');
    // The moment of the race: the close is applied but not yet recorded, so intake still routes the key to it.
    await stack.database.db.insert(openCorrelations).values({ key: correlationKey, incidentId: first.incidentId });

    const late = alertBody({ ...key, title: 'late alert', severity: 'critical' });
    expect((await postAlert(stack, ingest, late)).incidentId, 'intake routed it to the closing incident').toBe(first.incidentId);
    const moved = await eventually(() => alertRow(late.sourceId), (row) => row?.incidentId !== first.incidentId, 'the late alert moves to a new incident');
    const second = moved!.incidentId;
    expect(await holderOf(correlationKey), 'the new incident holds the key').toBe(second);

    const rerouted = await eventually(() => history(first.incidentId), (events) => events.some((e) => e.type === 'alert_rerouted'), 'the closed incident records the move');
    expect(rerouted.find((e) => e.type === 'alert_rerouted')!.data).toMatchObject({ alertId: moved!.id, to: second });
    expect(rerouted.filter((e) => e.type === 'alert_received'), 'the closed incident did not take it').toHaveLength(1);
    const opened = await eventually(
      async () => (await stack.call('GET', `/v1/incidents/${second}`, analyst)).body,
      (view) => view?.alertCount === 1,
      'the new incident holds the late alert',
    );
    expect(opened).toMatchObject({ title: 'late alert', severity: 'critical', stage: 'new' });

    const next = await postAlert(stack, ingest, alertBody(key));
    expect(next.incidentId, 'the next alert joins the new incident').toBe(second);
  });

  it('moves the alerts of an incident whose workflow ended, and the key with them', async () => {
    const key = { rule: { id: 'ended-incident' }, assets: [{ hostname: 'file9' }] };
    const first = await postAlert(stack, ingest, alertBody(key));
    await stack.client.workflow.getHandle(first.incidentId).terminate('test: the incident workflow ended');

    const again = await postAlert(stack, ingest, alertBody(key));
    expect(again.incidentId).not.toBe(first.incidentId);
    expect(await holderOf('generic|rule:ended-incident|asset:file9')).toBe(again.incidentId);
    const third = await postAlert(stack, ingest, alertBody(key));
    expect(third.incidentId, 'the next alert joins it rather than opening yet another').toBe(again.incidentId);
  });
});
