/**
 * An alert storm: 10,000 alerts of one rule on one host (one correlation key), posted as a SIEM
 * would in 100 requests of 100, 4 at a time, over real HTTP to the API with its worker in the same
 * process. Must hold: one incident, every alert counted once (alert count, ledger, alerts table),
 * the workflow's history bounded by continue-as-new; measured: how long after the last 202 the
 * incident view holds every alert (goal 5 s). Baseline, same run: the plain way, per request one
 * multi-row insert of its alerts and a signalWithStart of a workflow that only holds them (bench/bare).
 *
 *   npm run bench:storm          BENCH_STORM_ALERTS (default 10,000)
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import pLimit from 'p-limit';
import { selectRows } from '../db/sql-rows.js';
import { incidentWorkflowId } from '../workflows/incident.messages.js';
import { createPlainStore, postAlerts, signalPlain, storePlain } from './intake-client.js';
import { BARE_TASK_QUEUE, startBenchStack } from './bench-stack.js';
import { reportFigure } from './report.js';

const ALERTS = Number(process.env.BENCH_STORM_ALERTS ?? 10_000);
const PER_REQUEST = 100;
const stack = await startBenchStack({ name: 'storm', bareWorkflows: new URL('./bare/bare-intake.workflow.ts', import.meta.url) });
const run = randomUUID().slice(0, 8);
const requests = Array.from({ length: Math.ceil(ALERTS / PER_REQUEST) }, (_, r) =>
  Array.from({ length: Math.min(PER_REQUEST, ALERTS - r * PER_REQUEST) }, (_, i) => ({
    sourceId: `${run}-${r * PER_REQUEST + i}`,
    title: 'Brute force against the VPN gateway',
    severity: 'medium',
    rule: { id: 'storm-rule' },
    assets: [{ hostname: `storm-${run}` }],
  })),
);

const post = (alerts: unknown[]) => postAlerts(stack.api, stack.token, alerts);

async function irflowStorm() {
  const limit = pLimit(4);
  const started = performance.now();
  const answers = (await Promise.all(requests.map((r) => limit(() => post(r))))).flat();
  const lastAccepted = performance.now();
  const incidents = [...new Set(answers.map((a) => a.incidentId))];
  if (incidents.length !== 1) throw new Error(`one key opened ${incidents.length} incidents`);
  const [incidentId] = incidents as [string];
  for (;;) {
    const [row] = await selectRows<{ count: number | null }>(stack.database.db, sql`select alert_count as count from incidents where id = ${incidentId}`);
    if ((row?.count ?? 0) >= ALERTS) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const current = performance.now();
  const [ledger] = await selectRows<{ events: number; stored: number }>(
    stack.database.db,
    sql`select (select count(*)::int from incident_events where incident_id = ${incidentId} and type = 'alert_received') as events,
               (select count(*)::int from alerts where incident_id = ${incidentId}) as stored`,
  );
  const [view] = await selectRows<{ count: number }>(stack.database.db, sql`select alert_count as count from incidents where id = ${incidentId}`);
  const handle = stack.client.workflow.getHandle(incidentWorkflowId(incidentId));
  const { historyLength } = await handle.describe();
  return {
    incidentId,
    acceptSeconds: (lastAccepted - started) / 1000,
    currentSeconds: (current - lastAccepted) / 1000,
    counted: { view: view!.count, ledger: ledger!.events, stored: ledger!.stored, deduplicated: answers.filter((a) => a.deduplicated).length },
    historyLength,
  };
}

async function bareStorm(): Promise<number> {
  const limit = pLimit(4);
  const workflowId = `bare-storm-${run}`;
  const started = performance.now();
  await createPlainStore(stack.database.db);
  await Promise.all(
    requests.map((alerts) =>
      limit(async () => {
        const plain = alerts.map((a) => ({ ...a, sourceId: `bare-${a.sourceId}` }));
        await storePlain(stack.database.db, plain);
        await signalPlain(stack.client, BARE_TASK_QUEUE, workflowId, plain);
      }),
    ),
  );
  return (performance.now() - started) / 1000;
}

try {
  const bare = await bareStorm();
  const storm = await irflowStorm();
  const counted = storm.counted;
  const exact = counted.view === ALERTS && counted.ledger === ALERTS && counted.stored === ALERTS && counted.deduplicated === 0;
  console.log(`database: ${stack.database.kind}; ${ALERTS} alerts of one key in ${requests.length} requests, 4 at a time`);
  console.log(`irflow accepted them in ${storm.acceptSeconds.toFixed(1)} s (${(ALERTS / storm.acceptSeconds).toFixed(0)} alerts/s); the plain insert + signalWithStart of the same ${bare.toFixed(1)} s`);
  console.log(`one incident ${storm.incidentId}: alert count ${counted.view}, ledger ${counted.ledger}, stored ${counted.stored}, answered as duplicates ${counted.deduplicated} (${exact ? 'exact' : 'NOT EXACT'})`);
  console.log(`its view held every alert ${storm.currentSeconds.toFixed(1)} s after the last 202 (goal 5 s); current run ${storm.historyLength} history events`);
  reportFigure({
    figure: `storm: ${ALERTS} alerts on one key`,
    irflow: `view current ${storm.currentSeconds.toFixed(1)} s after the last 202; accepted ${(ALERTS / storm.acceptSeconds).toFixed(0)}/s`,
    baseline: `insert + signalWithStart ${(ALERTS / bare).toFixed(0)}/s`,
    ratio: `${(bare / storm.acceptSeconds).toFixed(2)}x intake`,
    goal: 'one incident, every alert once, ≤ 5 s',
    met: exact && storm.currentSeconds <= 5,
  });
  if (!exact) process.exitCode = 1;
} finally {
  await stack.close();
}
