/**
 * Intake at SIEM speed. Over real HTTP to the API with its worker in the same process (as
 * `npm start` runs them), a Temporal dev server, and Postgres (DATABASE_URL) or PGlite:
 *
 * 1. A batch of 500 alerts (the documented maximum): 100 hosts × 5 alerts, and 500 hosts × 1.
 *    Baseline, in the same run: what any intake on Temporal must do for the same batch, done the
 *    plain way - one multi-row insert in one transaction, then signalWithStart of a workflow that
 *    only holds the alerts, one per incident, 16 at a time. Goal: under 5 s.
 * 2. Each SIEM adapter against the generic route (bench/ingest.adapters.ts): alerts/s for the
 *    same 500 alerts as each source sends them, same run.
 * 3. The read side after a burst of 2,000 alerts (40 requests of 50, 4 at a time, 200 hosts): how
 *    long after the last 202 the incident list and the audit log hold every alert, BENCH_RUNS
 *    bursts, the median in the table with each run beside it. Goal: 5 s.
 *
 *   npm run bench:ingest
 *   BENCH_INGEST_PARTS=burst node --cpu-prof --cpu-prof-dir=profiles --import tsx bench/ingest.bench.ts
 *   BENCH_INGEST_PARTS=burst BENCH_TRACE=1 npm run bench:ingest     # the alerts recorded every 100 ms after the last 202
 *   BENCH_TEMPORAL_DYNAMIC_CONFIG='{"matching.numTaskqueueWritePartitions":4}' npm run bench:ingest   # the dev server otherwise
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import pLimit from 'p-limit';
import { selectRows } from '../db/sql-rows.js';
import { createPlainStore, postAlerts, signalPlain, storePlain } from './intake-client.js';
import type { SiemSource } from '../machines/adapters/index.js';
import { ADAPTER_ALERTS, ADAPTER_SOURCES, adaptingRate, sourceBody, type Body } from './ingest.adapters.js';
import { median } from './bench-database.js';
import { BARE_TASK_QUEUE, startBenchStack } from './bench-stack.js';
import { reportFigure, times } from './report.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
/** Which parts run: batches, adapters, burst (e.g. BENCH_INGEST_PARTS=burst under the profiler). */
/** BENCH_TRACE=1: print the alerts recorded, every 100 ms after the burst's last 202. */
const TRACE = process.env.BENCH_TRACE === '1';
const PARTS = new Set((process.env.BENCH_INGEST_PARTS ?? 'batches,adapters,burst').split(','));
const stack = await startBenchStack({ name: 'ingest', bareWorkflows: new URL('./bare/bare-intake.workflow.ts', import.meta.url) });
const { api, client, database, token: TOKEN } = stack;

type Alert = { sourceId: string; title: string; severity: string; rule: { id: string }; assets: Array<{ hostname: string }> };
function batch(run: string, hosts: number, perHost: number): Alert[] {
  return Array.from({ length: hosts * perHost }, (_, i) => ({
    sourceId: `${run}-${i}`,
    title: `Beacon from host ${i % hosts}`,
    severity: i % 7 === 0 ? 'high' : 'medium',
    rule: { id: 'c2-beacon' },
    assets: [{ hostname: `${run}-host-${i % hosts}` }],
  }));
}

let queued = 0;
/** Posts and answers when the 202 came; counts the alerts answered queued. */
async function post(alerts: Alert[] | Body, source = 'generic'): Promise<number> {
  queued += (await postAlerts(api, TOKEN, alerts, source)).filter((a) => a.queued).length;
  return performance.now();
}

/** The plain way: one insert of the batch, then one signalWithStart per incident, 16 at a time. */
async function bare(alerts: Alert[]): Promise<void> {
  await storePlain(database.db, alerts);
  const groups = new Map<string, Alert[]>();
  for (const a of alerts) groups.set(a.assets[0]!.hostname, [...(groups.get(a.assets[0]!.hostname) ?? []), a]);
  const limit = pLimit(16);
  await Promise.all([...groups].map(([host, held]) => limit(() => signalPlain(client, BARE_TASK_QUEUE, `bare-${host}`, held))));
}

async function timeBatches(shape: { hosts: number; perHost: number }): Promise<{ irflow: number; bare: number; queued: number }> {
  const timings = { irflow: [] as number[], bare: [] as number[] };
  queued = 0;
  for (let run = 0; run < RUNS; run += 1) {
    const id = `${shape.hosts}x${shape.perHost}-${run}-${randomUUID().slice(0, 6)}`;
    let start = performance.now();
    await bare(batch(`bare-${id}`, shape.hosts, shape.perHost));
    timings.bare.push(performance.now() - start);
    start = performance.now();
    timings.irflow.push((await post(batch(id, shape.hosts, shape.perHost))) - start);
    await settle();
  }
  return { irflow: median(timings.irflow), bare: median(timings.bare), queued: queued / RUNS };
}

/** Waits until the worker has recorded every alert accepted so far (between measurements). */
async function settle(): Promise<void> {
  for (;;) {
    const [row] = await selectRows<{ accepted: number; recorded: number }>(
      database.db,
      sql`select (select count(*)::int from alerts) as accepted,
                 (select count(*)::int from incident_events where type = 'alert_received') as recorded`,
    );
    if (row!.recorded >= row!.accepted) break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  // Then until the worker is idle (context lookups done): the next measurement has the machine to itself.
  let last = -1;
  for (;;) {
    const [row] = await selectRows<{ events: number }>(database.db, sql`select count(*)::int as events from incident_events`);
    if (row!.events === last) return;
    last = row!.events;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

/** Alerts/s through each adapter and the generic route, runs interleaved so load falls on all alike. */
async function adapterRates(): Promise<Map<string, number>> {
  const ms = new Map<string, number[]>(ADAPTER_SOURCES.map((s) => [s, []]));
  for (let run = 0; run < RUNS; run += 1) {
    for (const source of ADAPTER_SOURCES) {
      const body = sourceBody(source, `${source}-${run}-${randomUUID().slice(0, 6)}`);
      const start = performance.now();
      ms.get(source)!.push((await post(body, source)) - start);
      await settle();
    }
  }
  return new Map([...ms].map(([source, times]) => [source, ADAPTER_ALERTS / (median(times) / 1000)]));
}

/**
 * The burst, then how long after its last 202 the read side holds every alert. The probe reads
 * the run's incidents by id, every 100 ms, through the indexes a reader's list uses - not scans of
 * the whole ledger, which would compete with the worker it measures (on PGlite, in its one thread).
 */
async function readSideLag(): Promise<{ lastAccepted: number; incidentsCurrent: number; auditCurrent: number; acceptSeconds: number }> {
  const run = `burst-${randomUUID().slice(0, 6)}`;
  const alerts = batch(run, 200, 10);
  const requests = Array.from({ length: 40 }, (_, i) => alerts.slice(i * 50, i * 50 + 50));
  const limit = pLimit(4);
  const incidentIds = new Set<string>();
  const started = performance.now();
  const accepted = await Promise.all(
    requests.map((r) =>
      limit(async () => {
        const answers = await postAlerts(api, TOKEN, r);
        queued += answers.filter((a) => a.queued).length;
        answers.forEach((a) => incidentIds.add(a.incidentId));
        return performance.now();
      }),
    ),
  );
  const lastAccepted = Math.max(...accepted);
  const ids = sql.join([...incidentIds].map((id) => sql`${id}`), sql`, `);
  let incidentsCurrent = 0;
  let auditCurrent = 0;
  const trace: string[] = [];
  while (!incidentsCurrent || !auditCurrent) {
    const [row] = await selectRows<{ counted: number; audited: number }>(
      database.db,
      sql`select (select coalesce(sum(alert_count), 0)::int from incidents where id in (${ids})) as counted,
                 (select count(*)::int from incident_events where incident_id in (${ids}) and type = 'alert_received') as audited`,
    );
    const now = performance.now();
    if (TRACE) trace.push(`${((now - lastAccepted) / 1000).toFixed(1)}:${row!.audited}`);
    if (!incidentsCurrent && row!.counted >= alerts.length) incidentsCurrent = now;
    if (!auditCurrent && row!.audited >= alerts.length) auditCurrent = now;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  if (TRACE) console.log(`recorded after the last 202 (s:alerts): ${trace.join(' ')}`);
  return { lastAccepted, incidentsCurrent, auditCurrent, acceptSeconds: (lastAccepted - started) / 1000 };
}

async function batchFigures(): Promise<void> {
  for (const shape of [{ hosts: 100, perHost: 5 }, { hosts: 500, perHost: 1 }]) {
    const { irflow, bare: plain, queued: waiting } = await timeBatches(shape);
    console.log(
      `batch of 500 alerts (${shape.hosts} incidents): irflow answers in ${(irflow / 1000).toFixed(2)} s (goal < 5 s; ${waiting.toFixed(0)} of 500 queued on average); ` +
        `plain insert + signalWithStart of all ${(plain / 1000).toFixed(2)} s; ratio ${(irflow / plain).toFixed(2)}×`,
    );
    const seconds = (value: number) => `${(value / 1000).toFixed(2)} s`;
    reportFigure({ figure: `batch of 500 alerts, ${shape.hosts} incidents`, irflow: seconds(irflow), baseline: `insert + signalWithStart ${seconds(plain)}`, ratio: times(irflow / plain), goal: '< 5 s', met: irflow < 5000 });
  }
}

async function adapterFigures(): Promise<void> {
  const rates = await adapterRates();
  const generic = rates.get('generic')!;
  for (const [source, rate] of rates) {
    const cpu = source === 'generic' ? '' : `; parsing and adapting alone ${adaptingRate(source as SiemSource).toFixed(0)} alerts/s`;
    console.log(`${source.padEnd(8)} 500 alerts (100 incidents) in one request: ${rate.toFixed(0)} alerts/s${source === 'generic' ? '' : `, ratio to generic ${(rate / generic).toFixed(2)}×`}${cpu}`);
  }
}

/** The burst BENCH_RUNS times (each run one): how far the read side trails varies from run to run with how acceptance and recording interleave. */
async function burstFigure(): Promise<void> {
  const lags: number[] = [];
  for (let run = 0; run < RUNS; run += 1) {
    queued = 0;
    const lag = await readSideLag();
    const after = (t: number) => ((t - lag.lastAccepted) / 1000).toFixed(1);
    console.log(`burst of 2,000 alerts (200 incidents) accepted in ${lag.acceptSeconds.toFixed(1)} s (${queued} queued); after the last 202 the incident list was current in ${after(lag.incidentsCurrent)} s, the audit log in ${after(lag.auditCurrent)} s (goal 5 s)`);
    lags.push((Math.max(lag.incidentsCurrent, lag.auditCurrent) - lag.lastAccepted) / 1000);
  }
  const current = median(lags);
  const spread = lags.length > 1 ? ` (runs: ${lags.map((l) => l.toFixed(1)).join(', ')} s)` : '';
  reportFigure({ figure: 'read side current after a 2,000-alert burst', irflow: `${current.toFixed(1)} s after the last 202${spread}`, baseline: '-', ratio: '-', goal: '≤ 5 s', met: current <= 5 });
}

try {
  await createPlainStore(database.db);
  await timeBatches({ hosts: 10, perHost: 5 }); // warm both paths
  console.log(`database: ${database.kind}; ${RUNS} runs each, median`);
  if (PARTS.has('batches')) await batchFigures();
  if (PARTS.has('adapters')) await adapterFigures();
  if (PARTS.has('burst')) await burstFigure();
} finally {
  await stack.close();
}
