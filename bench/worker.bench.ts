/**
 * Can one worker keep up? A worker process (`npm run worker`'s entry) on a dev server and a
 * database; the API in this process takes a steady stream of alerts that each open an incident
 * (16 requests in flight, one alert each) for BENCH_SECONDS (default 60). Printed: accepted/s at
 * the API, recorded/s by the worker (incidents whose first alert is in the ledger), the backlog
 * at the end of the load and how long the worker then needs to clear it, and the worker's RSS.
 * Baseline in the same run: the same stream into a workflow that only holds its alerts
 * (bench/bare), i.e. what Temporal and this machine give any intake. Also printed: the CPU a new
 * incident cost each process, accepted and recorded, and the rate the machine's cores could
 * sustain at that cost.
 *
 *   npm run bench:worker              (PGlite cannot be shared: needs DATABASE_URL)
 *   BENCH_CPU_PROFILE=1 npm run bench:worker   writes the worker's CPU profiles to ./profiles
 */
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { NativeConnection, Worker } from '@temporalio/worker';
import { bareAlertsSignal } from './bare/bare-intake.workflow.js';
import { postAlerts, recordedAlerts } from './intake-client.js';
import { ceilingPerSecond, cpuPerItem, cpuSeconds, cpuSnapshot, cpuUsed } from './process-cpu.js';
import { steadyLoad } from './steady-load.js';
import { reportFigure } from './report.js';
import { rssMbOf, startWorkerStack } from './worker-stack.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 60);
const IN_FLIGHT = 16;

const profile = process.env.BENCH_CPU_PROFILE ? ['--cpu-prof', '--cpu-prof-dir=profiles'] : [];
const stack = await startWorkerStack('bench-worker', profile);
const { api, token: TOKEN, client, database, worker } = stack;

const recorded = () => recordedAlerts(database.db);
const rssMb = () => rssMbOf(worker.pid);

async function irflowRun() {
  const post = async (i: number) => {
    const alert = { sourceId: `w-${i}`, title: 'Beacon', severity: 'high', rule: { id: 'c2' }, assets: [{ hostname: `host-${i}` }] };
    await postAlerts(api, TOKEN, { contentType: 'application/json', text: JSON.stringify(alert) });
  };
  return steadyLoad({ seconds: SECONDS, inFlight: IN_FLIGHT, send: post, recorded, rssMb });
}

async function bareRun() {
  const workerConnection = await NativeConnection.connect({ address: stack.temporalAddress });
  const bare = await Worker.create({ connection: workerConnection, taskQueue: 'bench-bare', workflowsPath: fileURLToPath(new URL('./bare/bare-intake.workflow.ts', import.meta.url)) });
  const running = bare.run();
  let started = 0;
  const send = async (i: number) => {
    await client.workflow.signalWithStart('bareIntake', { workflowId: `bare-w-${i}`, taskQueue: 'bench-bare', signal: bareAlertsSignal, signalArgs: [[{ alertId: `w-${i}` }]] });
    started += 1;
  };
  const result = await steadyLoad({ seconds: SECONDS, inFlight: IN_FLIGHT, send, recorded: async () => started, rssMb: async () => process.memoryUsage().rss / 2 ** 20 });
  bare.shutdown();
  await running;
  await workerConnection.close();
  return result;
}

const processes = () => ({ worker: worker.pid!, 'API (this process)': process.pid, temporal: stack.temporalPid, postgres: 'postgres' as const });

try {
  const before = cpuSnapshot(processes());
  const mine = await irflowRun();
  const irflowUsed = cpuUsed(before, cpuSnapshot(processes()));
  const bareBefore = cpuSnapshot(processes());
  const bare = await bareRun();
  const bareUsed = cpuUsed(bareBefore, cpuSnapshot(processes()));
  // Each accepted item was also finished (steadyLoad waits for the backlog), so CPU / accepted is the cost of one.
  const [irflowEach, bareEach] = [cpuPerItem(irflowUsed, mine.accepted), cpuPerItem(bareUsed, bare.accepted)];
  console.log(`one worker, ${IN_FLIGHT} alerts in flight for ${SECONDS} s, each opening an incident; database: postgres`);
  console.log(`irflow: accepted ${mine.acceptedPerSecond.toFixed(1)}/s, recorded ${mine.recordedPerSecond.toFixed(1)}/s during the load; backlog at its end ${mine.backlog}, cleared ${mine.clearSeconds.toFixed(0)} s later; worker RSS ${mine.rssMb.toFixed(0)} MB`);
  console.log(`  CPU used, load and clearing: ${cpuSeconds(irflowUsed)}`);
  console.log(
    `  CPU a new incident, all processes: ${irflowEach.totalMs.toFixed(1)} ms (${irflowEach.parts}); ` +
      `on ${availableParallelism()} cores at most ${ceilingPerSecond(irflowEach.totalMs).toFixed(0)} new incidents/s accepted and recorded together`,
  );
  console.log(`bare signalWithStart: ${bare.acceptedPerSecond.toFixed(1)}/s; irflow accepted at ${(mine.acceptedPerSecond / bare.acceptedPerSecond).toFixed(2)}×, recorded at ${(mine.recordedPerSecond / bare.acceptedPerSecond).toFixed(2)}× of it (goal: recorded ≥ accepted, no growing backlog)`);
  console.log(`  CPU a signalWithStart (the bare worker runs in this process): ${bareEach.totalMs.toFixed(1)} ms (${bareEach.parts})`);
  reportFigure({
    figure: `one worker, new incidents, ${IN_FLIGHT} in flight`,
    irflow: `recorded ${mine.recordedPerSecond.toFixed(1)}/s of ${mine.acceptedPerSecond.toFixed(1)}/s accepted; backlog ${mine.backlog}; ${irflowEach.totalMs.toFixed(0)} ms CPU each`,
    baseline: `signalWithStart ${bare.acceptedPerSecond.toFixed(1)}/s; ${bareEach.totalMs.toFixed(1)} ms CPU`,
    ratio: `${(mine.recordedPerSecond / mine.acceptedPerSecond).toFixed(2)}x of accepted`,
    goal: 'recorded ≥ accepted',
    met: mine.recordedPerSecond >= mine.acceptedPerSecond,
  });
} finally {
  await stack.close();
}
