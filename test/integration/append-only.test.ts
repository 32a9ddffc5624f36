/**
 * The append-only ledger in the database itself: UPDATE, DELETE and TRUNCATE of audit events, of
 * superseded events and of the access log are refused by its triggers (on Postgres and PGlite
 * alike), a superseded row is kept, not lost; and on Postgres the least-privilege role that
 * `npm run migrate` makes cannot change the ledger even with the triggers off.
 */
import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { grantAppRole } from '../../db/app-role.js';
import { closedIncident } from '../support/incidents.js';
import { serverUrl } from '../support/database.js';
import { startStack, type Stack } from '../support/stack.js';

let stack: Stack;
let analyst: string;
let id: string;

beforeAll(async () => {
  stack = await startStack();
  analyst = await stack.token(['analyst']);
  id = await closedIncident(stack, analyst);
  await stack.call('GET', `/v1/incidents/${id}/history`, await stack.token(['auditor']));
});
afterAll(async () => stack?.close());

/** The error a statement gets, or undefined when it went through. */
async function refusal(run: () => Promise<unknown>): Promise<string | undefined> {
  try {
    await run();
    return undefined;
  } catch (error) {
    const cause = (error as { cause?: { message?: string } }).cause;
    return cause?.message ?? (error instanceof Error ? error.message : String(error));
  }
}

describe('the ledger tables refuse changes, whoever asks', () => {
  it('keeps what irflow supersedes: the rows move to incident_events_superseded as they were', async () => {
    const events = (await stack.database.db.execute(sql`select seq, hash from incident_events where incident_id = ${id} order by seq`)) as unknown as Array<{ seq: number; hash: string }> | { rows: Array<{ seq: number; hash: string }> };
    const rows = Array.isArray(events) ? events : events.rows;
    const last = rows.at(-1)!;
    await stack.database.db.transaction((tx) => tx.execute(sql`select irflow_supersede_events(${id}, ${last.seq})`));
    const kept = (await stack.database.db.execute(sql`select seq, hash from incident_events_superseded where incident_id = ${id}`)) as unknown as Array<{ seq: number; hash: string }> | { rows: Array<{ seq: number; hash: string }> };
    expect(Array.isArray(kept) ? kept : kept.rows).toEqual([{ seq: last.seq, hash: last.hash }]);
  });

  it.each([
    ['update incident_events', sql`update incident_events set actor = 'mallory'`],
    ['delete from incident_events', sql`delete from incident_events where seq = 1`],
    ['truncate incident_events', sql`truncate incident_events`],
    ['update access_log', sql`update access_log set actor = 'nobody'`],
    ['delete from access_log', sql`delete from access_log`],
    ['truncate access_log', sql`truncate access_log`],
    ['delete from incident_events_superseded', sql`delete from incident_events_superseded`],
    ['truncate incident_events_superseded', sql`truncate incident_events_superseded`],
  ])('%s', async (_statement, statement) => {
    const before = await stack.database.db.execute(sql`select count(*)::int as n from incident_events`);
    expect(await refusal(() => stack.database.db.execute(statement))).toMatch(/is append-only: (UPDATE|DELETE|TRUNCATE) is refused/);
    expect(await stack.database.db.execute(sql`select count(*)::int as n from incident_events`)).toEqual(before);
  });

});

describe.runIf(serverUrl)('the least-privilege role of npm run migrate (needs DATABASE_URL)', () => {
  const role = `irflow_app_${randomBytes(4).toString('hex')}`;
  const password = randomBytes(12).toString('hex');
  let asApp: postgres.Sql;

  beforeAll(async () => {
    await grantAppRole(stack.database.db, role, password);
    const url = new URL(stack.database.url!);
    url.username = role;
    url.password = password;
    asApp = postgres(url.toString(), { max: 1, onnotice: () => undefined });
  });
  afterAll(async () => {
    await asApp?.end();
    await stack.database.db.execute(sql.raw(`drop owned by ${role}; drop role ${role}`)).catch(() => undefined);
  });

  it('reads and appends to the ledger, and writes the projections', async () => {
    expect((await asApp`select count(*)::int as n from incident_events where incident_id = ${id}`)[0]!.n).toBeGreaterThan(0);
    await asApp`insert into access_log (actor, action, incident_id) values ('app', 'history', ${id})`;
    await asApp`update incidents set assignee = 'bob' where id = ${id}`;
  });

  it('cannot UPDATE, DELETE or TRUNCATE the ledger, even with the triggers turned off', async () => {
    for (const statement of ['update incident_events set actor = $$m$$', 'delete from incident_events', 'truncate incident_events', 'delete from access_log', 'truncate incident_events_superseded']) {
      const error = await asApp.unsafe(statement).then(
        () => undefined,
        (e: { message: string }) => e.message,
      );
      expect(error, statement).toMatch(/permission denied|append-only/);
    }
    const off = await asApp.begin((tx) => tx.unsafe('set local session_replication_role = replica; delete from incident_events')).then(
      () => undefined,
      (e: { message: string }) => e.message,
    );
    expect(off).toMatch(/permission denied/);
  });
});
