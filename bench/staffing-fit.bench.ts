/**
 * Fitting the staffing model to a year of history (~100,000 incidents): what GET
 * /v1/simulations/model and every forecast do before they simulate - arrivals per hour of week,
 * every stage pass with its logged work and its approvals' waits, the SLA targets armed, the
 * playbook's holds. Baseline, in the same run: a plain read of the same stage passes with their
 * incident's priority, the floor of any fit that looks at each pass.
 *
 *   npm run bench:staffing-fit        (DATABASE_URL for Postgres, else PGlite)
 */
import { sql } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import { selectRows } from '../db/sql-rows.js';
import { measureStaffingModel } from '../db/staffing.reads.js';
import { loadShippedPlaybooks } from '../runtime/shipped-playbooks.js';
import { median, openBenchDatabase } from './bench-database.js';
import { reportFigure } from './report.js';

const INCIDENTS = Number(process.env.BENCH_INCIDENTS ?? 100_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const NOW = new Date('2027-01-01T00:00:00Z');

/** Incident i: opened within the year, triage 2-62 min, 40 % on to analysis, a third with work logged, 5 % waiting on an approval. */
const BASE = sql`select i, 'S' || lpad(i::text, 7, '0') as id, timestamptz '2026-01-01 00:00:00+00' + ((i * 311) % (364 * 86400)) * interval '1 second' as c,
  (120 + (i * 7919) % 3600) * interval '1 second' as a, (600 + (i::bigint * 104729) % 7200) * interval '1 second' as b from generate_series(1, ${INCIDENTS}::int) i`;

async function generate(db: Database): Promise<void> {
  await db.execute(sql`insert into incidents (id, title, stage, severity, priority, playbook_id, playbook_version, open, created_at, updated_at, last_seq, last_hash)
    select id, 'fit', 'closed', 'high', 'P' || (1 + i % 3), 'default', 1, false, c, c + a + b, 5, 'bench' from (${BASE}) base`);
  await db.execute(sql`insert into incident_measures (incident_id, created_at, playbook_id, priority, open) select id, c, 'default', 'P' || (1 + i % 3), false from (${BASE}) base`);
  await db.execute(sql`insert into stage_timings (incident_id, stage, entered_seq, entered_at, left_seq, left_at) select id, 'triage', 1, c, 3, c + a from (${BASE}) base`);
  await db.execute(sql`insert into stage_timings (incident_id, stage, entered_seq, entered_at, left_seq, left_at) select id, 'analysis', 3, c + a, 6, c + a + b from (${BASE}) base where i % 10 < 4`);
  await db.execute(sql`insert into incident_events (incident_id, seq, at, type, actor, data, prev_hash, hash)
    select id, s, case s when 1 then c when 2 then c when 3 then c + a when 4 then c + a + interval '1 minute' else c + a + interval '11 minutes' end,
      (array['incident_opened', 'sla_armed', 'work_logged', 'approval_requested', 'approval_granted'])[s], case when s = 1 then 'source:generic' else 'analyst' end,
      case s when 2 then '{"clock":"stage","stage":"triage","targetSeconds":3600}'::jsonb when 3 then jsonb_build_object('minutes', 1 + i % 7)
             when 4 then '{"event":"contain","required":2}' when 5 then '{"event":"contain","granted":2,"required":2}' else '{}' end, 'bench', 'bench'
    from (${BASE}) base cross join generate_series(1, 5) s
    where s <= 2 or (s = 3 and i % 3 = 0) or (s >= 4 and i % 20 = 0 and i % 10 < 4)`);
}

async function timed(work: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await work();
  return performance.now() - start;
}

const { handle, drop } = await openBenchDatabase();
try {
  const started = performance.now();
  await loadShippedPlaybooks(handle.db); // the pinned playbook says which stages are holds
  await generate(handle.db);
  await handle.db.execute(sql`analyze`); // statistics as a database in service has them
  console.log(`database: ${handle.kind}; ${INCIDENTS} incidents generated in ${((performance.now() - started) / 1000).toFixed(1)} s; ${RUNS} runs each, median`);
  const from = new Date(NOW.getTime() - 365 * 86_400_000);
  let passes = 0;
  const plain = async () => {
    const rows = await selectRows<{ n: number }>(
      handle.db,
      sql`select t.incident_id, m.priority, t.stage, t.entered_at, t.left_at from stage_timings t join incident_measures m on m.incident_id = t.incident_id
          where m.created_at >= ${from.toISOString()} and m.created_at < ${NOW.toISOString()} and m.priority is not null`,
    );
    passes = rows.length;
  };
  const fit = () => measureStaffingModel(handle.db, 365, NOW);
  await fit(); // warm both
  await plain();
  const fits: number[] = [];
  const reads: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    fits.push(await timed(fit));
    reads.push(await timed(plain));
  }
  const [irflow, baseline] = [median(fits), median(reads)];
  const model = await fit();
  console.log(`fit of ${model.measured.incidents} incidents (${passes} stage passes): ${(irflow / 1000).toFixed(2)} s; plain read of the passes ${(baseline / 1000).toFixed(2)} s; ratio ${(irflow / baseline).toFixed(2)}x`);
  reportFigure({ figure: `staffing model fitted to a year (${INCIDENTS / 1000}k incidents)`, irflow: `${(irflow / 1000).toFixed(2)} s`, baseline: `plain read ${(baseline / 1000).toFixed(2)} s`, ratio: `${(irflow / baseline).toFixed(2)}x`, goal: '< 5 s', met: irflow < 5000 });
} finally {
  await drop();
}
