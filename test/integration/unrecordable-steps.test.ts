/**
 * A step the database refuses for good (here a check constraint the test adds, as a stand-in for
 * any constraint or encoding error no retry can cure): the workflow records a recording_failed
 * event in its place, health lists it, and the incident and its later alerts carry on.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertBody, postAlert, walkTo } from '../support/incidents.js';
import { eventually } from '../support/eventually.js';
import { startStack, type Stack } from '../support/stack.js';

let stack: Stack;
let analyst: string;
let ingest: string;

beforeAll(async () => {
  stack = await startStack();
  analyst = await stack.token(['analyst'], 'alice');
  ingest = await stack.token(['ingest'], 'siem');
  await stack.database.db.execute(sql`alter table incident_events add constraint test_refuses_tainted check (data::text not like '%TAINTED%')`);
});
afterAll(async () => stack?.close());


describe('a step no retry can store', () => {
  it('is replaced by recording_failed, listed on health, and never blocks the incident or its later alerts', async () => {
    const key = { rule: { id: 'tainted-rule' }, assets: [{ hostname: 'db7' }] };
    const { incidentId } = await postAlert(stack, ingest, alertBody({ ...key, title: 'TAINTED beacon', severity: 'low' }));

    const health = await eventually(
      async () => (await stack.call('GET', '/v1/health/incidents', analyst)).body,
      (body) => body.unrecordable?.filter((u: { incidentId: string }) => u.incidentId === incidentId).length >= 2,
      'the refused steps are listed on health',
    );
    expect(health.status).toBe('degraded');
    const listed = health.unrecordable.filter((u: { incidentId: string }) => u.incidentId === incidentId);
    expect(listed.map((u: { stepType: string }) => u.stepType).sort()).toEqual(['alert_received', 'incident_opened']);
    expect(listed[0].reason).toMatch(/StepNotStorable.*test_refuses_tainted/);

    // The incident goes on: a later critical alert joins it, and it is worked to closed.
    const later = await postAlert(stack, ingest, alertBody({ ...key, title: 'ransomware note', severity: 'critical' }));
    expect(later.incidentId).toBe(incidentId);
    const closed = await walkTo(stack, analyst, incidentId, ['acknowledge', 'start_analysis', 'contain', 'eradicate', 'recover', 'resolve', 'close']);
    expect(closed).toMatchObject({ stage: 'closed', severity: 'critical', alertCount: 2 });

    const events = (await stack.call('GET', `/v1/incidents/${incidentId}/history`, analyst)).body.events as Array<{ seq: number; type: string; data: any }>;
    const failed = events.filter((e) => e.type === 'recording_failed');
    expect(failed.map((e) => e.data.failedType).sort()).toEqual(['alert_received', 'incident_opened']);
    expect(failed[0]!.data.reason).toMatch(/test_refuses_tainted/);
    expect(events.map((e) => e.seq), 'no seq is missing').toEqual(events.map((_, i) => i + 1));
    expect(events.filter((e) => e.type === 'alert_received')).toHaveLength(1);
    const auditor = await stack.token(['auditor']);
    expect((await stack.call('GET', `/v1/incidents/${incidentId}/history/verify`, auditor)).body).toMatchObject({ valid: true });
    const row = await stack.database.db.query.incidents.findFirst({ where: (t, { eq }) => eq(t.id, incidentId) });
    expect(row).toMatchObject({ stage: 'closed', title: 'TAINTED beacon', open: false });
  });
});
