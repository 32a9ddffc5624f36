/**
 * Replay cost: an incident with 1,000 audit events and its Temporal history, replayed as an
 * auditor's replay does (fetch both, determinism replay of the history against today's code,
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
import { INCIDENT_WORKFLOW_TYPE, applyEventUpdate, recordedViewUpdate, type IncidentWorkflow } from '../workflows/incident.messages.js';

const TARGET_EVENTS = 1_000;
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

try {
  const playbook = (await latestPlaybook(database.db, 'managed-queue'))!;
  const incidentId = 'INC-BENCH-REPLAY';
  const handle = await client.workflow.start<IncidentWorkflow>(INCIDENT_WORKFLOW_TYPE, {
    workflowId: incidentId,
    taskQueue: 'bench',
    args: [{ incidentId, playbook, opening: { title: 'replay bench', severity: 'low', openedBy: 'bench' } }],
  });
  await handle.executeUpdate(recordedViewUpdate);
  const built = performance.now();
  // managed-queue: start, close, reopen, close, … two audit events per round trip.
  await handle.executeUpdate(applyEventUpdate, { args: [{ event: 'start', actor: 'bench' }] });
  let events = 2;
  for (let i = 0; events < TARGET_EVENTS; i += 1) {
    const close = { event: 'close', actor: 'bench', fields: { resolution: `round ${i}` } };
    await handle.executeUpdate(applyEventUpdate, { args: [close] });
    await handle.executeUpdate(applyEventUpdate, { args: [{ event: 'reopen', actor: 'bench' }] });
    events += 2;
  }
  const rows = await incidentHistory(database.db, incidentId);
  const history = await handle.fetchHistory();
  console.log(`built an incident with ${rows.length} audit events and ${history.events?.length} history events (current run) in ${((performance.now() - built) / 1000).toFixed(1)} s`);

  const replayer = createReplayer({ workflowBundle: bundle });
  const plain = async () => {
    await incidentHistory(database.db, incidentId);
    JSON.parse(historyToJSON(await handle.fetchHistory()));
  };
  const replay = async () => {
    const [events, fetched] = await Promise.all([incidentHistory(database.db, incidentId), handle.fetchHistory()]);
    const verdict = await replayer(JSON.parse(historyToJSON(fetched)), incidentId);
    const machine = replayLifecycle(playbook.document, events, 'in_progress');
    if (!verdict.deterministic || !machine.machineConsistent) throw new Error(`replay failed: ${verdict.error ?? JSON.stringify(machine.mismatches[0])}`);
  };
  await replay(); // warm: the replay worker's first start
  const timings = { plain: [] as number[], replay: [] as number[] };
  for (let run = 0; run < RUNS; run += 1) {
    for (const [name, fn] of [['plain', plain], ['replay', replay]] as const) {
      const start = performance.now();
      await fn();
      timings[name].push(performance.now() - start);
    }
  }
  const machineStart = performance.now();
  for (let run = 0; run < RUNS; run += 1) replayLifecycle(playbook.document, rows, 'in_progress');
  console.log(`of which the lifecycle machine over the audit log: ${((performance.now() - machineStart) / RUNS).toFixed(0)} ms a run`);
  const r = median(timings.replay);
  const p = median(timings.plain);
  console.log(`replay (determinism + machine) of ${rows.length} audit events: median ${r.toFixed(0)} ms over ${RUNS} runs (goal < 1000 ms)`);
  console.log(`plain read of the same rows and history: median ${p.toFixed(0)} ms`);
  console.log(`ratio replay / plain read: ${(r / p).toFixed(2)}×`);
} finally {
  worker.shutdown();
  await running;
  await workerConnection.close();
  await connection.close();
  await database.close();
  await server.stop();
}
