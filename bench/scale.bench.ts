/**
 * Scale: BENCH_OPEN (default 10,000) open incidents, each opened by an alert on a host of its own
 * (batches of 500, 2 at a time), held by one worker process with their SLA clocks armed. When
 * 1,000, 5,000 and all of them are recorded: each process's RSS (the worker, the API - this
 * process -, the Temporal dev server). Then, over HTTP: GET /v1/incidents?limit=50 and GET
 * /v1/kpis, median of runs. Baselines in the same run: the same 50 rows read by one indexed
 * select, and the KPIs as SQL over the ledger (bench/kpis.ledger-sql.ts).
 *
 *   npm run bench:scale               (needs DATABASE_URL: the worker runs in its own process)
 */
import { sql } from 'drizzle-orm';
import { selectRows } from '../db/sql-rows.js';
import { median } from './bench-database.js';
import { postAlerts } from './intake-client.js';
import { ledgerSqlKpisByBusinessUnit } from './kpis.ledger-sql.js';
import { ms, reportFigure } from './report.js';
import { rssMbOf, startWorkerStack } from './worker-stack.js';

const OPEN = Number(process.env.BENCH_OPEN ?? 10_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 15);
const BATCH = 500;
const CHECKPOINTS = [1_000, 5_000, OPEN].filter((n, i, all) => n <= OPEN && all.indexOf(n) === i);

/** Every incident under a stage clock and a resolve clock, each with its timer armed (a ladder step at half the target). */
const PLAYBOOK = {
  id: 'scale',
  name: 'Scale: SLA clocks on every incident',
  match: { order: 1, ruleIds: ['scale-*'] },
  initial: 'triage',
  slas: { resolve: { high: '3d' } },
  stages: {
    triage: { marks: ['acknowledged'], sla: { high: '1d' }, escalation: [{ at: '50%', notify: ['assignee'] }], on: { close: { to: 'closed' } } },
    closed: { closed: true, marks: ['resolved', 'closed'] },
  },
};

const stack = await startWorkerStack('bench-scale');
const { api, token, database } = stack;
const registered = await fetch(`${api}/v1/playbooks`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(PLAYBOOK) });
if (registered.status !== 201) throw new Error(`registering the scale playbook answered ${registered.status}: ${await registered.text()}`);

const recorded = async () => Number((await selectRows<{ n: number }>(database.db, sql`select count(*)::int as n from incidents where open`))[0]?.n ?? 0);
const armed = async () => Number((await selectRows<{ n: number }>(database.db, sql`select count(*)::int as n from incidents where open and jsonb_array_length(clocks) > 0`))[0]?.n ?? 0);
const rss = async () => ({ worker: await rssMbOf(stack.worker.pid), api: process.memoryUsage().rss / 2 ** 20, temporal: await rssMbOf(stack.temporalPid) });

async function timedGet(url: string): Promise<number> {
  const start = performance.now();
  const response = await fetch(`${api}${url}`, { headers: { authorization: `Bearer ${token}` } });
  if (!response.ok) throw new Error(`GET ${url} answered ${response.status}`);
  await response.arrayBuffer();
  return performance.now() - start;
}

async function timed(work: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await work();
  return performance.now() - start;
}

async function medianOf(work: () => Promise<number>): Promise<number> {
  await work();
  const times: number[] = [];
  for (let run = 0; run < RUNS; run++) times.push(await work());
  return median(times);
}

/** Opens incidents up to `until`, two batches at a time, then waits until the worker has recorded them. */
async function openUpTo(from: number, until: number): Promise<number> {
  const batches = Array.from({ length: Math.ceil((until - from) / BATCH) }, (_, b) => from + b * BATCH);
  for (let b = 0; b < batches.length; b += 2) {
    await Promise.all(
      batches.slice(b, b + 2).map((first) => {
        const alerts = Array.from({ length: Math.min(BATCH, until - first) }, (_, i) => ({ sourceId: `s-${first + i}`, title: 'Beacon', severity: 'high', rule: { id: 'scale-beacon' }, assets: [{ hostname: `scale-${first + i}` }] }));
        return postAlerts(api, token, alerts);
      }),
    );
  }
  const started = performance.now();
  while ((await recorded()) < until) await new Promise((resolve) => setTimeout(resolve, 500));
  return (performance.now() - started) / 1000;
}

try {
  let opened = 0;
  const started = performance.now();
  for (const checkpoint of CHECKPOINTS) {
    const waited = await openUpTo(opened, checkpoint);
    opened = checkpoint;
    const { worker, api: apiRss, temporal } = await rss();
    console.log(`${checkpoint} open incidents recorded (${await armed()} with SLA clocks armed) after ${((performance.now() - started) / 1000).toFixed(0)} s (${waited.toFixed(0)} s after the last 202): RSS worker ${worker.toFixed(0)} MB, API ${apiRss.toFixed(0)} MB, Temporal ${temporal.toFixed(0)} MB`);
    if (checkpoint === OPEN) reportFigure({ figure: `worker RSS, ${OPEN} open incidents`, irflow: `${worker.toFixed(0)} MB`, baseline: '-', ratio: '-', goal: '< 2048 MB', met: worker < 2048 });
  }
  const list = await medianOf(() => timedGet('/v1/incidents?limit=50'));
  const plain = await medianOf(() => timed(() => selectRows(database.db, sql`select * from incidents where open order by updated_at desc limit 50`)));
  console.log(`GET /v1/incidents?limit=50 at ${OPEN} open: ${ms(list)}; one indexed select of the same 50 rows ${ms(plain)}`);
  reportFigure({ figure: `GET /v1/incidents?limit=50, ${OPEN} open`, irflow: ms(list), baseline: `plain select ${ms(plain)}`, ratio: `${(list / plain).toFixed(2)}x`, goal: '< 50 ms', met: list < 50 });
  const window = { from: new Date(Date.now() - 86_400_000), to: new Date(Date.now() + 86_400_000) };
  const kpis = await medianOf(() => timedGet(`/v1/kpis?groupBy=businessUnit&from=${window.from.toISOString()}&to=${window.to.toISOString()}`));
  const ledger = await medianOf(() => timed(() => ledgerSqlKpisByBusinessUnit(database.db, window)));
  console.log(`GET /v1/kpis at ${OPEN} open: ${ms(kpis)}; SQL over the ledger ${ms(ledger)}`);
  reportFigure({ figure: `GET /v1/kpis, ${OPEN} open`, irflow: ms(kpis), baseline: `SQL over the ledger ${ms(ledger)}`, ratio: `${(kpis / ledger).toFixed(2)}x`, goal: '< 200 ms', met: kpis < 200 });
} finally {
  await stack.close();
}
