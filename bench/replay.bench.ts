/**
 * Replay cost: a long incident of the `quantitative` playbook - alerts, SLA timers, enrichment,
 * approvals, holds - whose run is as long as the product lets a run get before it continues as
 * new (bench/replay.incident.ts), replayed as an auditor's replay does (fetch both, determinism replay of the history against today's code,
 * the lifecycle machine over the audit log), against a plain read of the same rows and history
 * in the same run. Goal: replay under 1 s here.
 *
 *   npm run bench:replay        (a Temporal dev server and PGlite, both started here)
 */
import { Client, Connection } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { openDatabase } from '../db/client.js';
import { incidentHistory } from '../db/incidents.reads.js';
import { latestPlaybook } from '../db/playbooks.repo.js';
import { replayLifecycle } from '../machines/replay.js';
import { locateTemporalCli } from '../scripts/temporal-cli.js';
import { startDevServer } from '../runtime/dev-server.js';
import { freePort } from '../runtime/ports.js';
import { createReplayer } from '../runtime/replayer.js';
import { loadShippedPlaybooks } from '../runtime/shipped-playbooks.js';
import { WORKFLOWS_PATH, createIncidentWorker } from '../runtime/worker.js';
import { median } from './bench-database.js';
import { INCIDENT_WORKFLOW_TYPE, RUN_HISTORY_LIMIT, recordedViewUpdate, type IncidentWorkflow } from '../workflows/incident.messages.js';
import { workLongIncident } from './replay.incident.js';
import { ms, reportFigure, times } from './report.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 7);

Runtime.install({ logger: new DefaultLogger('ERROR') });
const cliPath = await locateTemporalCli();
if (!cliPath) throw new Error('the replay benchmark needs the Temporal CLI (npm run temporal:install)');
const server = await startDevServer({ cliPath, port: await freePort(), uiPort: false });
const database = await openDatabase({});
await database.migrate();
await loadShippedPlaybooks(database.db);
const bundle = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: new DefaultLogger('ERROR') });
const workerConnection = await NativeConnection.connect({ address: server.address });
const worker = await createIncidentWorker({ connection: workerConnection, namespace: 'default', taskQueue: 'bench', db: database.db, workflowBundle: bundle });
const running = worker.run();
const connection = await Connection.connect({ address: server.address });
const client = new Client({ connection });

/** Promise-heavy work of this process: what a replay run in this thread would slow for good. */
async function promiseWork(): Promise<number> {
  const start = performance.now();
  for (let i = 0; i < 100_000; i += 1) await Promise.all([Promise.resolve(i), new Promise((resolve) => setImmediate(resolve))]);
  return performance.now() - start;
}

try {
  const playbook = (await latestPlaybook(database.db, 'quantitative'))!;
  const incidentId = 'INC-BENCH-REPLAY';
  const handle = await client.workflow.start<IncidentWorkflow>(INCIDENT_WORKFLOW_TYPE, {
    workflowId: incidentId,
    taskQueue: 'bench',
    args: [{ incidentId, playbook, opening: { title: 'replay bench', severity: 'high', openedBy: 'bench', subject: { hostnames: ['web-01'], ips: [], ruleIds: [], observables: [] } } }],
  });
  await handle.executeUpdate(recordedViewUpdate);
  const built = performance.now();
  const rounds = await workLongIncident(handle, RUN_HISTORY_LIMIT);
  const { stage } = await handle.executeUpdate(recordedViewUpdate);
  const rows = await incidentHistory(database.db, incidentId);
  const history = await handle.fetchHistory();
  console.log(
    `built a quantitative incident (${rounds} rounds of contain-approve-hold-resume-...-close with two approvers-reopen, an alert each) with ` +
      `${rows.length} audit events and ${history.events?.length} history events in its run (continues as new at ${RUN_HISTORY_LIMIT}) in ${((performance.now() - built) / 1000).toFixed(1)} s`,
  );

  const replayer = createReplayer({ workflowBundle: bundle });
  const plain = async () => {
    await incidentHistory(database.db, incidentId);
    JSON.parse(historyToJSON(await handle.fetchHistory()));
  };
  const replay = async () => {
    const [events, fetched] = await Promise.all([incidentHistory(database.db, incidentId), handle.fetchHistory()]);
    const verdict = await replayer(JSON.parse(historyToJSON(fetched)), incidentId);
    const machine = replayLifecycle(playbook.document, events, stage);
    if (!verdict.deterministic || !machine.machineConsistent) throw new Error(`replay failed: ${verdict.error ?? JSON.stringify(machine.mismatches[0])}`);
  };
  const promiseWorkBefore = await promiseWork();
  await replay(); // warm: the replay worker's first start
  const timings = { plain: [] as number[], replay: [] as number[] };
  for (let run = 0; run < RUNS; run += 1) {
    for (const [name, fn] of [['plain', plain], ['replay', replay]] as const) {
      const start = performance.now();
      await fn();
      timings[name].push(performance.now() - start);
    }
  }
  // What any replay costs whatever its length: an incident just opened.
  const short = await client.workflow.start<IncidentWorkflow>(INCIDENT_WORKFLOW_TYPE, {
    workflowId: 'INC-BENCH-SHORT',
    taskQueue: 'bench',
    args: [{ incidentId: 'INC-BENCH-SHORT', playbook, opening: { title: 'short', severity: 'low', openedBy: 'bench' } }],
  });
  await short.executeUpdate(recordedViewUpdate);
  const shortHistory = JSON.parse(historyToJSON(await short.fetchHistory())) as { events: unknown[] };
  const fixed: number[] = [];
  for (let run = 0; run < RUNS; run += 1) {
    const start = performance.now();
    await replayer(shortHistory, 'INC-BENCH-SHORT');
    fixed.push(performance.now() - start);
  }
  console.log(`of which any replay's fixed cost (an incident just opened, ${shortHistory.events.length} events, on the replay worker kept from the last replay): ${median(fixed).toFixed(0)} ms`);
  const promiseWorkAfter = await promiseWork();
  console.log(`100,000 rounds of promise work in the replaying process (as the API replays for auditors): ${promiseWorkBefore.toFixed(0)} ms before any replay, ${promiseWorkAfter.toFixed(0)} ms after (${(promiseWorkAfter / promiseWorkBefore).toFixed(2)}×)`);
  const machineStart = performance.now();
  for (let run = 0; run < RUNS; run += 1) replayLifecycle(playbook.document, rows, stage);
  console.log(`of which the lifecycle machine over the audit log: ${((performance.now() - machineStart) / RUNS).toFixed(0)} ms a run`);
  const r = median(timings.replay);
  const p = median(timings.plain);
  console.log(`replay (determinism + machine) of ${rows.length} audit events: median ${r.toFixed(0)} ms over ${RUNS} runs (goal < 1000 ms)`);
  console.log(`plain read of the same rows and history: median ${p.toFixed(0)} ms`);
  console.log(`ratio replay / plain read: ${(r / p).toFixed(2)}×`);
  reportFigure({ figure: `replay of a ${history.events?.length}-event run (quantitative)`, irflow: ms(r), baseline: `plain read ${ms(p)}`, ratio: times(r / p), goal: '< 1000 ms', met: r < 1000 });
} finally {
  worker.shutdown();
  await running;
  await workerConnection.close();
  await connection.close();
  await database.close();
  await server.stop();
}
