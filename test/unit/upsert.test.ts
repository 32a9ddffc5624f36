/**
 * The recording path's SQL text (db/upsert.ts): rows as one JSON parameter encoded as each column
 * takes it, writes joined into one statement, and rows read back as JSON mapped as drizzle would.
 * The statements' effect on a real database is tested in test/integration/persistence.test.ts.
 */
import { PgDialect } from 'drizzle-orm/pg-core';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { incidentMeasures, stageTimings } from '../../db/schema.js';
import { insertSql, oneStatement, rowFromJson } from '../../db/upsert.js';

const dialect = new PgDialect();
const render = (query: ReturnType<typeof insertSql>) => dialect.sqlToQuery(query);

describe('insertSql', () => {
  it('sends the rows as one JSON parameter, timestamps as ISO text, json and arrays as themselves', () => {
    const at = new Date('2026-12-06T10:00:00.000Z');
    const query = render(insertSql(stageTimings, [{ incidentId: 'INC-1', stage: 'triage', enteredSeq: 3, enteredAt: at, leftSeq: null, leftAt: null }]));
    expect(query.params, 'one parameter whatever the number of columns').toHaveLength(1);
    expect(JSON.parse(query.params[0] as string)).toEqual([
      { incident_id: 'INC-1', stage: 'triage', entered_seq: 3, entered_at: '2026-12-06T10:00:00.000Z', left_seq: null, left_at: null },
    ]);
    expect(query.sql).toMatch(/^insert into "stage_timings" \("incident_id", "stage", "entered_seq", "entered_at", "left_seq", "left_at"\) select .* from jsonb_populate_recordset\(null::"stage_timings", \$1::jsonb\)$/);

    const measure = render(insertSql(incidentMeasures, [{ incidentId: 'INC-1', stageSeconds: { triage: 60 }, approvalSeconds: [1.5, 2] }]));
    expect(JSON.parse(measure.params[0] as string)).toEqual([{ incident_id: 'INC-1', stage_seconds: { triage: 60 }, approval_seconds: [1.5, 2] }]);
  });

  it('leaves out a column no row sets (its default), and refuses rows that set it only in part', () => {
    const query = render(insertSql(stageTimings, [{ incidentId: 'INC-1', stage: 'new', enteredSeq: 1, enteredAt: new Date(0) }]));
    expect(query.sql).not.toContain('"left_at"');
    expect(query.sql).not.toContain('"id"');
    expect(() =>
      insertSql(stageTimings, [
        { incidentId: 'INC-1', stage: 'new', enteredSeq: 1, enteredAt: new Date(0), leftSeq: 2 },
        { incidentId: 'INC-1', stage: 'triage', enteredSeq: 2, enteredAt: new Date(0) },
      ]),
    ).toThrow(/leftSeq is set in some rows and not in others/);
  });

  it('adds the conflict clause, updating only a newer row when asked', () => {
    const query = render(insertSql(stageTimings, [{ incidentId: 'INC-1', stage: 'new', enteredSeq: 1, enteredAt: new Date(0) }], { target: ['incidentId', 'enteredSeq'], update: ['stage'], onlyIfGreater: 'enteredSeq' }));
    expect(query.sql).toMatch(/on conflict \("incident_id", "entered_seq"\) do update set "stage" = excluded\."stage" where "stage_timings"\."entered_seq" < excluded\."entered_seq"$/);
  });
});

describe('oneStatement', () => {
  it('joins writes as the parts of one WITH, parameters numbered across them; a single write stays as it is', () => {
    const one = sql`delete from t where a = ${1}`;
    expect(dialect.sqlToQuery(oneStatement([one])).sql).toBe('delete from t where a = $1');
    const joined = dialect.sqlToQuery(oneStatement([one, sql`update u set b = ${2}`]));
    expect(joined.sql).toBe('with w0 as (delete from t where a = $1), w1 as (update u set b = $2) select 1');
    expect(joined.params).toEqual([1, 2]);
  });
});

describe('rowFromJson', () => {
  it('maps a to_jsonb row to the properties and values drizzle would hand over', () => {
    const row = rowFromJson(incidentMeasures, {
      incident_id: 'INC-1',
      created_at: '2026-12-06T10:00:00+00:00',
      stage_seconds: { triage: 60 },
      approval_seconds: [1.5],
      closed_at: null,
    });
    expect(row.incidentId).toBe('INC-1');
    expect(row.createdAt).toEqual(new Date('2026-12-06T10:00:00.000Z'));
    expect(row.stageSeconds).toEqual({ triage: 60 });
    expect(row.approvalSeconds).toEqual([1.5]);
    expect(row.closedAt).toBeNull();
  });
});
