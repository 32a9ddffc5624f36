/**
 * Recording steps, the worker's hottest path: the persistence activity (`recordIncidentSteps`:
 * ledger append with the hash link, stage timings, the projection, the measures, in one
 * transaction) for the first steps of 400 incidents (opened, alert, acknowledged, work logged),
 * 8 incidents at a time. Baseline in the same run, what a competent engineer would write for the
 * same durable effect: one transaction per incident that appends the hash-linked events in one
 * multi-row INSERT and upserts the incident's row, in raw SQL. Printed: incidents/s and CPU
 * milliseconds of this process per incident, each way, and the ratio.
 *
 *   npm run bench:record        (Postgres with DATABASE_URL, else PGlite; BENCH_IN_FLIGHT=1 for latency)
 */
import { sql } from 'drizzle-orm';
import pLimit from 'p-limit';
import { createIncidentActivities } from '../activities/incident.activities.js';
import { GENESIS_HASH, eventHash } from '../db/ledger.js';
import type { IncidentStep } from '../machines/incident.types.js';
import { IncidentScript } from '../test/support/incident-script.js';
import { median, openBenchDatabase } from './bench-database.js';

const INCIDENTS = 400;
const IN_FLIGHT = Number(process.env.BENCH_IN_FLIGHT ?? 8);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const T = (minute: number) => `2026-11-30T10:${String(minute).padStart(2, '0')}:00.000Z`;

const { handle: database, drop } = await openBenchDatabase();
const activities = createIncidentActivities({ db: database.db });

function scripts(run: string): IncidentStep[][] {
  return Array.from({ length: INCIDENTS }, (_, i) => {
    const id = `INC-${run}-${i}`;
    return new IncidentScript(id, { at: T(0), openedBy: 'source:generic' })
      .alert(T(1), `${id}-a1`, 'generic')
      .move(T(2), 'acknowledge', 'triage', { marks: ['acknowledged'] })
      .work(T(3), 15).steps;
  });
}

/** The plain way: hash-linked events in one INSERT, the incident row upserted, one transaction. */
async function plainRecord(steps: IncidentStep[]): Promise<void> {
  let prev = GENESIS_HASH;
  const rows = steps.map((step) => {
    const { incidentId, seq, at, type, actor, from, to, data } = step;
    const hash = eventHash(prev, { incidentId, seq, at, type, actor, from, to, data });
    const row = sql`(${incidentId}, ${seq}, ${at}::timestamptz, ${type}, ${actor}, ${from}, ${to}, ${JSON.stringify(data)}::jsonb, ${prev}, ${hash})`;
    prev = hash;
    return row;
  });
  const last = steps.at(-1)!;
  const p = last.projection;
  await database.db.transaction(async (tx) => {
    await tx.execute(sql`insert into bench_plain_events (incident_id, seq, at, type, actor, from_stage, to_stage, data, prev_hash, hash) values ${sql.join(rows, sql`, `)}`);
    await tx.execute(sql`insert into bench_plain_incidents (id, stage, severity, priority, document, last_seq, last_hash) values
      (${p.id}, ${p.stage}, ${p.severity}, ${p.priority}, ${JSON.stringify(p)}::jsonb, ${last.seq}, ${prev})
      on conflict (id) do update set stage = excluded.stage, severity = excluded.severity, priority = excluded.priority,
        document = excluded.document, last_seq = excluded.last_seq, last_hash = excluded.last_hash where bench_plain_incidents.last_seq < excluded.last_seq`);
  });
}

async function timed(record: (steps: IncidentStep[]) => Promise<unknown>, batches: IncidentStep[][]): Promise<{ perSecond: number; cpuMs: number }> {
  const limit = pLimit(IN_FLIGHT);
  const cpu = process.cpuUsage();
  const start = performance.now();
  await Promise.all(batches.map((steps) => limit(() => record(steps))));
  const seconds = (performance.now() - start) / 1000;
  const used = process.cpuUsage(cpu);
  return { perSecond: batches.length / seconds, cpuMs: (used.user + used.system) / 1000 / batches.length };
}

try {
  await database.db.execute(sql`create table bench_plain_events (incident_id text, seq integer, at timestamptz, type text, actor text, from_stage text, to_stage text, data jsonb, prev_hash text, hash text, primary key (incident_id, seq))`);
  await database.db.execute(sql`create table bench_plain_incidents (id text primary key, stage text, severity text, priority text, document jsonb, last_seq integer, last_hash text)`);
  const results = { irflow: [] as Array<{ perSecond: number; cpuMs: number }>, plain: [] as Array<{ perSecond: number; cpuMs: number }> };
  for (let run = -1; run < RUNS; run += 1) {
    const irflow = await timed((steps) => activities.recordIncidentSteps({ steps }), scripts(`i${run}`));
    const plain = await timed(plainRecord, scripts(`p${run}`));
    if (run < 0) continue; // warm-up
    results.irflow.push(irflow);
    results.plain.push(plain);
  }
  const rate = (xs: Array<{ perSecond: number }>) => median(xs.map((x) => x.perSecond));
  const cpu = (xs: Array<{ cpuMs: number }>) => median(xs.map((x) => x.cpuMs));
  console.log(`database: ${database.kind}; ${INCIDENTS} incidents × 4 steps, ${IN_FLIGHT} at a time; ${RUNS} runs, median`);
  console.log(`recordIncidentSteps: ${rate(results.irflow).toFixed(0)} incidents/s, ${cpu(results.irflow).toFixed(2)} ms CPU each`);
  console.log(`plain raw-SQL append + upsert: ${rate(results.plain).toFixed(0)} incidents/s, ${cpu(results.plain).toFixed(2)} ms CPU each`);
  console.log(`ratio: ${(rate(results.irflow) / rate(results.plain)).toFixed(2)}× the throughput, ${(cpu(results.irflow) / cpu(results.plain)).toFixed(1)}× the CPU`);
} finally {
  await drop();
}
