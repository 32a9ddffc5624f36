/**
 * Autovacuum for the embedded database. PGlite runs Postgres as one standalone backend, with no
 * autovacuum launcher: without this, its tables would never lose their dead rows (every step
 * rewrites an incident's projection and measures rows) nor get their visibility maps set (so
 * index-only scans, the KPIs' time in stage among them, would read the heap for every row), and
 * the planner would never see fresh statistics. Each round flushes the backend's table
 * statistics, then vacuums, with analyze, every table past Postgres's own autovacuum thresholds
 * at their defaults: dead rows over 50 + 20% of the table, rows inserted since its last vacuum over
 * 1,000 + 20%, rows changed since its last analyze over 50 + 10%. A round due waits for a quiet
 * moment of the thread (vacuumRoundStarts). Every PGlite handle runs it while open
 * (db/client.ts); a server's own autovacuum does this for Postgres.
 */
import { performance } from 'node:perf_hooks';
import { sql } from 'drizzle-orm';
import type { Database } from './client.js';
import { selectRows } from './sql-rows.js';

/** How often the embedded database is looked at (Postgres's autovacuum_naptime). */
export const EMBEDDED_VACUUM_EVERY_MS = 60_000;

export interface DueTable {
  schema: string;
  name: string;
}

/** Makes the table statistics this backend holds back readable (PGlite's read zero until then). */
export async function flushStatistics(db: Database): Promise<void> {
  await db.execute(sql`select pg_stat_force_next_flush()`);
  await db.execute(sql`select pg_stat_clear_snapshot()`);
}

/** The tables past a threshold, their statistics flushed first. */
export async function tablesDueForVacuum(db: Database): Promise<DueTable[]> {
  await flushStatistics(db);
  return selectRows<DueTable>(
    db,
    sql`select s.schemaname as schema, s.relname as name
          from pg_stat_user_tables s join pg_class c on c.oid = s.relid
         where s.n_dead_tup > 50 + 0.2 * greatest(c.reltuples, 0)
            or s.n_ins_since_vacuum > 1000 + 0.2 * greatest(c.reltuples, 0)
            or s.n_mod_since_analyze > 50 + 0.1 * greatest(c.reltuples, 0)
         order by s.n_dead_tup + s.n_ins_since_vacuum desc`,
  );
}

/** Vacuums (with analyze) each table due, one at a time, yielding between them; returns them. */
export async function vacuumDueTables(db: Database): Promise<DueTable[]> {
  const due = await tablesDueForVacuum(db);
  for (const table of due) {
    await db.execute(sql`vacuum (analyze) ${sql.identifier(table.schema)}.${sql.identifier(table.name)}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
  return due;
}

/** Above this share of its time busy (event-loop utilisation since the last look), the thread is not quiet. */
export const QUIET_UTILIZATION = 0.5;

export interface VacuumSchedule {
  /** A round is due this long after the last one started (default: a minute). */
  everyMs?: number;
  /** A due round waits at most this long for a quiet moment, then runs anyway (default: five rounds' time). */
  postponeAtMostMs?: number;
}

/**
 * Whether a round starts now: once due, at the first quiet look, or when it has waited the most it
 * may. PGlite runs in the process's own thread, so a round (a second or so of vacuum on tables of
 * a few hundred thousand rows) stalls every request and step in flight; a burst of alerts is the
 * worst time for it, and the moment after the burst the best.
 */
export function vacuumRoundStarts(sinceLastRoundMs: number, utilization: number, schedule: Required<VacuumSchedule>): boolean {
  if (sinceLastRoundMs < schedule.everyMs) return false;
  return utilization < QUIET_UTILIZATION || sinceLastRoundMs >= schedule.everyMs + schedule.postponeAtMostMs;
}

/** A schedule with its defaults: a round due every minute, waiting at most five rounds' time for a quiet moment. */
export function vacuumSchedule(options: VacuumSchedule = {}): Required<VacuumSchedule> {
  const everyMs = options.everyMs ?? EMBEDDED_VACUUM_EVERY_MS;
  return { everyMs, postponeAtMostMs: options.postponeAtMostMs ?? 5 * everyMs };
}

/**
 * Runs `vacuumDueTables` while started, one round at a time: due every `everyMs`, started at the
 * first look (each second, or each `everyMs` if shorter) that finds the thread quiet.
 */
export function startEmbeddedVacuum(db: Database, options: VacuumSchedule & { log?: (line: string) => void } = {}): () => void {
  const schedule = vacuumSchedule(options);
  const { everyMs } = schedule;
  let lastRound = performance.now();
  let lastLook = performance.eventLoopUtilization();
  let running = false;
  const timer = setInterval(() => {
    const look = performance.eventLoopUtilization();
    const utilization = performance.eventLoopUtilization(look, lastLook).utilization;
    lastLook = look;
    if (running || !vacuumRoundStarts(performance.now() - lastRound, utilization, schedule)) return;
    running = true;
    lastRound = performance.now();
    vacuumDueTables(db)
      .then((done) => {
        if (done.length > 0) options.log?.(`vacuumed ${done.map((t) => t.name).join(', ')}`);
      })
      .catch((error: unknown) => options.log?.(`vacuum failed, tried again in a minute: ${String(error)}`))
      .finally(() => (running = false));
  }, Math.min(1_000, everyMs));
  timer.unref();
  return () => clearInterval(timer);
}
