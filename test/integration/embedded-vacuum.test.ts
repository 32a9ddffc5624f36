/**
 * The embedded database vacuums itself: PGlite has no autovacuum launcher, so every PGlite handle
 * runs db/embedded-vacuum.ts while open. On a real PGlite, in memory: a re-imported asset
 * inventory leaves dead rows and a stale visibility map; the table is found due, vacuumed with
 * analyze, and not due after.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type DatabaseHandle } from '../../db/client.js';
import { upsertContext } from '../../db/context.repo.js';
import { flushStatistics, startEmbeddedVacuum, tablesDueForVacuum, vacuumDueTables } from '../../db/embedded-vacuum.js';
import { selectRows } from '../../db/sql-rows.js';
import { eventually } from '../support/eventually.js';

let database: DatabaseHandle;

beforeAll(async () => {
  database = await openDatabase({});
  await database.migrate();
});
afterAll(async () => database?.close());

const assets = (round: number) =>
  Array.from({ length: 2_000 }, (_, i) => ({ id: `A-${i}`, hostname: `host-${i}`, ips: [`10.1.${i >> 8}.${i & 255}`], owner: `team-${round}`, businessUnit: 'it', criticality: 'low' }));

/** A table's statistics, those this backend holds back flushed first. */
async function statsOf(table: string) {
  await flushStatistics(database.db);
  const [row] = await selectRows<{ dead: number; vacuumed: number | null; analyzed: number | null }>(
    database.db,
    sql`select n_dead_tup::int as dead, extract(epoch from last_vacuum)::float8 as vacuumed, extract(epoch from last_analyze)::float8 as analyzed
          from pg_stat_user_tables where relname = ${table}`,
  );
  return row!;
}

describe('the embedded database vacuums itself', () => {
  it('finds a table past autovacuum’s thresholds, vacuums and analyzes it, and then finds it due no more', async () => {
    expect(database.kind).toBe('pglite');
    await upsertContext(database.db, 'asset', assets(1) as never);
    await upsertContext(database.db, 'asset', assets(2) as never); // every row rewritten: 2,000 dead
    expect((await tablesDueForVacuum(database.db)).map((t) => t.name)).toContain('context_assets');
    expect((await statsOf('context_assets')).dead).toBeGreaterThanOrEqual(2_000);

    const vacuumed = await vacuumDueTables(database.db);
    expect(vacuumed).toContainEqual({ schema: 'public', name: 'context_assets' });
    const after = await statsOf('context_assets');
    expect(after).toMatchObject({ dead: 0, vacuumed: expect.any(Number), analyzed: expect.any(Number) });
    expect((await tablesDueForVacuum(database.db)).map((t) => t.name)).not.toContain('context_assets');
  });

  it('runs in every PGlite handle, as npm start opens it, and says which tables it vacuumed', async () => {
    const lines: string[] = [];
    const handle = await openDatabase({ vacuumEveryMs: 100, log: (line) => lines.push(line) });
    try {
      await handle.migrate();
      await upsertContext(handle.db, 'asset', assets(1) as never);
      await upsertContext(handle.db, 'asset', assets(2) as never);
      await eventually(async () => lines, (said) => said.some((line) => /^vacuumed .*context_assets/.test(line)), 'the handle vacuums the re-imported table by itself');
    } finally {
      await handle.close();
    }
  });

  it('runs by itself once started, and stops when told', async () => {
    const before = (await statsOf('context_assets')).vacuumed;
    await upsertContext(database.db, 'asset', assets(3) as never);
    const stop = startEmbeddedVacuum(database.db, { everyMs: 100 });
    try {
      const later = await eventually(() => statsOf('context_assets'), (s) => s.vacuumed !== null && s.vacuumed > (before ?? 0), 'a round vacuums the re-imported table');
      expect(later.dead).toBe(0);
    } finally {
      stop();
    }
  });

  it('waits for a quiet moment: no round while the thread is kept busy, as under a burst, and one soon after', async () => {
    await upsertContext(database.db, 'asset', assets(4) as never);
    const lines: string[] = [];
    const stop = startEmbeddedVacuum(database.db, { everyMs: 100, postponeAtMostMs: 600_000, log: (line) => lines.push(line) });
    try {
      // Busy 90 ms at a time, the timers let through between: each look finds the thread over 90% busy.
      const until = performance.now() + 1_500;
      while (performance.now() < until) {
        const chunk = performance.now() + 90;
        while (performance.now() < chunk);
        await new Promise((resolve) => setImmediate(resolve));
      }
      expect(lines, 'no round while busy').toEqual([]);
      await eventually(async () => lines, (seen) => seen.length > 0, 'a round once the thread is quiet');
      expect(lines[0]).toContain('context_assets');
    } finally {
      stop();
    }
  });
});
