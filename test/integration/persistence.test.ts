/**
 * The persistence activity on a real database: steps recorded in one call, twice without
 * doubling, another event at a recorded seq refused loudly, failures no retry can cure refused
 * as non-retryable, and a chain that goes on past a step given up as unrecordable.
 */
import { ApplicationFailure } from '@temporalio/common';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UNRECORDABLE, createIncidentActivities } from '../../activities/incident.activities.js';
import { incidentHistory } from '../../db/incidents.reads.js';
import { verifyChain } from '../../db/ledger.js';
import { openTestDatabase, type TestDatabase } from '../support/database.js';
import { IncidentScript } from '../support/incident-script.js';

let database: TestDatabase;
let activities: ReturnType<typeof createIncidentActivities>;

beforeAll(async () => {
  database = await openTestDatabase();
  activities = createIncidentActivities({ db: database.db });
});
afterAll(async () => database?.close());

const T = (minute: number) => `2026-11-30T10:${String(minute).padStart(2, '0')}:00.000Z`;

function script(id: string) {
  return new IncidentScript(id, { at: T(0), openedBy: 'source:generic' })
    .alert(T(1), `${id}-a1`, 'generic')
    .move(T(2), 'acknowledge', 'triage', { marks: ['acknowledged'] })
    .work(T(3), 15);
}

async function failure(promise: Promise<unknown>): Promise<ApplicationFailure> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, 'the call should fail').toBeInstanceOf(ApplicationFailure);
  return error as ApplicationFailure;
}

describe('recording incident steps', () => {
  it('records a batch in one call, and a repeat of it writes nothing twice', async () => {
    const steps = script('INC-P-BATCH').steps;
    const first = await activities.recordIncidentSteps({ steps });
    expect(first.written).toBe(4);
    const again = await activities.recordIncidentSteps({ steps });
    expect(again).toEqual({ hashes: first.hashes, written: 0, fromSeq: 1 });
    const events = await incidentHistory(database.db, 'INC-P-BATCH');
    expect(events.map((e) => e.hash)).toEqual(first.hashes);
    const row = await database.db.query.incidents.findFirst({ where: (t, { eq }) => eq(t.id, 'INC-P-BATCH') });
    expect(row).toMatchObject({ lastSeq: 4, lastHash: first.hashes[3], stage: 'triage', effortMinutes: 15 });
    expect(verifyChain(events, { lastSeq: row!.lastSeq, lastHash: row!.lastHash })).toEqual({ valid: true, events: 4 });
  });

  it('refuses, as non-retryable, another event at a seq already recorded', async () => {
    const steps = script('INC-P-CONFLICT').steps;
    await activities.recordIncidentSteps({ steps: steps.slice(0, 2) });
    const forged = { ...steps[1]!, data: { ...steps[1]!.data, title: 'something else' } };
    const refused = await failure(activities.recordIncidentSteps({ steps: [forged, ...steps.slice(2)] }));
    expect(refused).toMatchObject({ type: UNRECORDABLE.ledgerConflict, nonRetryable: true });
    expect(refused.message).toMatch(/seq 2 is recorded with other content/);
    expect((await incidentHistory(database.db, 'INC-P-CONFLICT')).length, 'nothing of the batch was written').toBe(2);
  });

  it('moves stage timings, time in stage and the measures as step by step when one batch leaves, re-enters and leaves stages', async () => {
    const id = 'INC-P-STAGES';
    const steps = script(id)
      .move(T(4), 'escalate', 'analysis')
      .move(T(5), 'return', 'triage')
      .move(T(6), 'escalate', 'analysis')
      .move(T(7), 'contain', 'containment', { marks: ['contained'] }).steps;
    // The first four as they come, then the stage moves in one batch: triage (entered before the
    // batch) left, analysis entered and left, triage entered again and left, analysis again, left.
    const oneByOne = script(`${id}-1`).move(T(4), 'escalate', 'analysis').move(T(5), 'return', 'triage').move(T(6), 'escalate', 'analysis').move(T(7), 'contain', 'containment', { marks: ['contained'] }).steps;
    await activities.recordIncidentSteps({ steps: steps.slice(0, 4) });
    await activities.recordIncidentSteps({ steps: steps.slice(4) });
    for (const step of oneByOne) await activities.recordIncidentSteps({ steps: [step] });

    const timingsOf = async (incidentId: string) =>
      (await database.db.query.stageTimings.findMany({ where: (t, { eq }) => eq(t.incidentId, incidentId), orderBy: (t, { asc }) => asc(t.enteredSeq) })).map((t) => [
        t.stage,
        t.enteredSeq,
        t.leftSeq,
        t.enteredAt.toISOString(),
        t.leftAt?.toISOString() ?? null,
      ]);
    expect(await timingsOf(id)).toEqual([
      ['new', 1, 3, T(0), T(2)],
      ['triage', 3, 5, T(2), T(4)],
      ['analysis', 5, 6, T(4), T(5)],
      ['triage', 6, 7, T(5), T(6)],
      ['analysis', 7, 8, T(6), T(7)],
      ['containment', 8, null, T(7), null],
    ]);
    expect(await timingsOf(`${id}-1`), 'the same as recorded one step at a time').toEqual(await timingsOf(id));
    const measureOf = async (incidentId: string) => {
      const row = await database.db.query.incidentMeasures.findFirst({ where: (t, { eq }) => eq(t.incidentId, incidentId) });
      const { incidentId: _id, ...measure } = row!;
      return measure;
    };
    expect(await measureOf(id)).toEqual(await measureOf(`${id}-1`));
    expect((await measureOf(id)).stageSeconds).toMatchObject({ triage: 180, analysis: 120 });
    const stageTimes = await database.db.execute(sql`select stage, seconds from incident_stage_times where incident_id = ${id} order by stage`);
    const rows = (Array.isArray(stageTimes) ? stageTimes : (stageTimes as unknown as { rows: unknown[] }).rows) as Array<{ stage: string; seconds: number }>;
    expect(rows.map((r) => [r.stage, Number(r.seconds)])).toEqual([
      ['analysis', 120],
      ['new', 120],
      ['triage', 180],
    ]);
  });

  it('lets a later workflow task supersede what a lost task recorded, and never an earlier task', async () => {
    const id = 'INC-P-LOST';
    const lost = script(id).steps;
    await activities.recordIncidentSteps({ steps: lost.slice(0, 2), task: 3 });
    await activities.recordIncidentSteps({ steps: lost.slice(2), task: 7 }); // the worker died before this task completed
    // Temporal runs the task again later: the same steps, at the new task's time.
    const again = new IncidentScript(id, { at: T(0), openedBy: 'source:generic' })
      .alert(T(1), `${id}-a1`, 'generic')
      .move(T(8), 'acknowledge', 'triage', { marks: ['acknowledged'] })
      .work(T(9), 15).steps;
    const zombie = new IncidentScript(id, { at: T(0), openedBy: 'source:generic' })
      .alert(T(1), `${id}-a1`, 'generic')
      .move(T(6), 'acknowledge', 'triage', { marks: ['acknowledged'] }).steps;
    const superseding = await activities.recordIncidentSteps({ steps: again.slice(2), task: 11 });
    expect(superseding.written).toBe(2);

    const events = await incidentHistory(database.db, id);
    expect(events.map((e) => [e.seq, e.at])).toEqual([[1, T(0)], [2, T(1)], [3, T(8)], [4, T(9)]]);
    const row = await database.db.query.incidents.findFirst({ where: (t, { eq }) => eq(t.id, id) });
    expect(verifyChain(events, { lastSeq: row!.lastSeq, lastHash: row!.lastHash })).toEqual({ valid: true, events: 4 });
    expect(row).toMatchObject({ lastSeq: 4, effortMinutes: 15, stage: 'triage' });
    const measure = await database.db.query.incidentMeasures.findFirst({ where: (t, { eq }) => eq(t.incidentId, id) });
    expect(measure?.effortMinutes, 'the work is counted once').toBe(15);
    const timings = await database.db.query.stageTimings.findMany({ where: (t, { eq }) => eq(t.incidentId, id), orderBy: (t, { asc }) => asc(t.enteredSeq) });
    expect(timings.map((t) => [t.stage, t.enteredSeq, t.leftSeq, t.enteredAt.toISOString()])).toEqual([
      ['new', 1, 3, T(0)],
      ['triage', 3, null, T(8)],
    ]);

    // A zombie worker finishing an earlier task cannot replace what the later one recorded.
    const refused = await failure(activities.recordIncidentSteps({ steps: zombie.slice(2), task: 9 }));
    expect(refused).toMatchObject({ type: UNRECORDABLE.ledgerConflict, nonRetryable: true });
    expect((await incidentHistory(database.db, id)).map((e) => e.at)).toEqual([T(0), T(1), T(8), T(9)]);
  });

  it('refuses a step the database cannot store as non-retryable, and goes on past it once it is given up', async () => {
    await database.db.execute(sql`alter table incident_events add constraint test_no_poison check (data::text not like '%POISON%')`);
    try {
      const poisoned = script('INC-P-TAINTED');
      poisoned.step('work_logged', T(4), { actor: 'ana', data: { minutes: 1, note: 'POISON' } }).work(T(5), 5);
      const [a, b, c, d, bad, after] = poisoned.steps;
      await activities.recordIncidentSteps({ steps: [a!, b!, c!, d!] });
      const refused = await failure(activities.recordIncidentSteps({ steps: [bad!, after!] }));
      expect(refused).toMatchObject({ type: UNRECORDABLE.notStorable, nonRetryable: true });
      expect(refused.message).toMatch(/test_no_poison|check constraint/);

      // Not given up yet: the next seq cannot chain over the gap.
      await expect(activities.recordIncidentSteps({ steps: [after!] })).rejects.toThrow(/seq 5 is not recorded yet/);
      await activities.reportRecordingFailure({ incidentId: 'INC-P-TAINTED', seq: 5, stepType: 'work_logged', reason: refused.message });
      await activities.reportRecordingFailure({ incidentId: 'INC-P-TAINTED', seq: 5, stepType: 'work_logged', reason: 'again' });
      await activities.recordIncidentSteps({ steps: [after!] });
      const events = await incidentHistory(database.db, 'INC-P-TAINTED');
      expect(events.map((e) => e.seq)).toEqual([1, 2, 3, 4, 6]);
      expect(events[4]!.prevHash, 'seq 6 chains to seq 4').toBe(events[3]!.hash);
      expect(verifyChain(events).valid, 'verify points the gap out').toBe(false);
      const failures = await database.db.query.recordingFailures.findMany({ where: (t, { eq }) => eq(t.incidentId, 'INC-P-TAINTED') });
      expect(failures).toHaveLength(1);
    } finally {
      await database.db.execute(sql`alter table incident_events drop constraint test_no_poison`);
    }
  });
});
