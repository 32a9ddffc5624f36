/**
 * Alert intake at concurrency: single alerts posted over HTTP, 16 and 64 requests in flight, as
 * `npm start` runs the API with its worker in one process on a dev server. Two shapes: alerts
 * each opening an incident (a host of its own), and alerts joining one open incident (one host,
 * new source ids). Baseline in the same run, same client and server: signalWithStart of a
 * workflow that only holds its alerts (bench/bare), new workflows for the first shape, one for the
 * second. Goal: irflow at >= 0.8x the baseline's alerts/s.
 * Each run is measured once the one before it is recorded to the last alert, so the baseline never
 * shares the machine with irflow's backlog; and each prints the CPU an alert cost every process
 * (this one, Temporal, Postgres) from its first send until the last alert was recorded: on a machine
 * whose processes share its cores, that CPU sets the most alerts a second it can take and record.
 *
 *   npm run bench:intake
 *   BENCH_INTAKE_SHAPES=joining node --cpu-prof --import tsx bench/intake.bench.ts
 */
import { randomUUID } from 'node:crypto';
import { availableParallelism } from 'node:os';
import pLimit from 'p-limit';
import { median } from './bench-database.js';
import { BARE_TASK_QUEUE, startBenchStack } from './bench-stack.js';
import { postAlerts, recordedAlerts, signalPlain } from './intake-client.js';
import { ceilingPerSecond, cpuPerItem, cpuSnapshot, cpuUsed, type CpuSnapshot } from './process-cpu.js';
import { reportFigure, times } from './report.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const PER_RUN = Number(process.env.BENCH_INTAKE_ALERTS ?? 640);
/** BENCH_INTAKE_SHAPES=joining (or opening) measures one shape only, e.g. under the CPU profiler. */
const SHAPES = (process.env.BENCH_INTAKE_SHAPES ?? 'opening,joining').split(',') as Array<'opening' | 'joining'>;
const stack = await startBenchStack({ name: 'intake', bareWorkflows: new URL('./bare/bare-intake.workflow.ts', import.meta.url) });

/** Alerts/s of `count` sends, `inFlight` at a time. */
async function rate(count: number, inFlight: number, send: (i: number) => Promise<void>): Promise<number> {
  const limit = pLimit(inFlight);
  const start = performance.now();
  await Promise.all(Array.from({ length: count }, (_, i) => limit(() => send(i))));
  return count / ((performance.now() - start) / 1000);
}

let posted = 0;
const postOne = async (body: ReturnType<typeof alert>) => {
  await postAlerts(stack.api, stack.token, [body]);
  posted += 1;
};

/** Waits until every alert irflow accepted is in its incident's ledger, and half a second more for what trails it. */
async function settled(): Promise<void> {
  while ((await recordedAlerts(stack.database.db)) < posted) await new Promise((resolve) => setTimeout(resolve, 200));
  await new Promise((resolve) => setTimeout(resolve, 500));
}

interface Measured {
  perSecond: number;
  /** CPU seconds of each process from the first send until every alert is recorded (irflow) or settled (bare). */
  cpu: CpuSnapshot;
}

/** One run: its rate, then (after every alert is recorded) the CPU it cost, an alert. */
async function measured(inFlight: number, send: (i: number) => Promise<void>): Promise<Measured> {
  const before = cpuSnapshot(stack.cpuProcesses());
  const perSecond = await rate(PER_RUN, inFlight, send);
  await settled();
  return { perSecond, cpu: cpuUsed(before, cpuSnapshot(stack.cpuProcesses())) };
}

function report(shape: 'opening' | 'joining', inFlight: number, irflow: Measured[], bare: Measured[]): void {
  const mine = median(irflow.map((m) => m.perSecond));
  const theirs = median(bare.map((m) => m.perSecond));
  // CPU an alert over all the runs together.
  const perAlert = (runs: Measured[]) =>
    cpuPerItem(Object.fromEntries(Object.keys(runs[0]!.cpu).map((label) => [label, runs.reduce((sum, m) => sum + m.cpu[label]!, 0)])), runs.length * PER_RUN);
  const [myCpu, theirCpu] = [perAlert(irflow), perAlert(bare)];
  const what = shape === 'opening' ? 'alerts opening incidents' : 'alerts joining an incident';
  console.log(`${what}, ${inFlight} in flight: irflow ${mine.toFixed(0)}/s, bare signalWithStart ${theirs.toFixed(0)}/s, ratio ${(mine / theirs).toFixed(2)}x (goal >= 0.8x)`);
  console.log(
    `  CPU an alert, accepted and recorded, all processes: irflow ${myCpu.totalMs.toFixed(1)} ms (${myCpu.parts}), bare ${theirCpu.totalMs.toFixed(1)} ms (${theirCpu.parts}); ` +
      `on ${availableParallelism()} cores at most ${ceilingPerSecond(myCpu.totalMs).toFixed(0)}/s and ${ceilingPerSecond(theirCpu.totalMs).toFixed(0)}/s end to end, a CPU ratio of ${times(theirCpu.totalMs / myCpu.totalMs)}`,
  );
  reportFigure({
    figure: `${what}, ${inFlight} in flight`,
    irflow: `${mine.toFixed(0)}/s; ${myCpu.totalMs.toFixed(0)} ms CPU an alert`,
    baseline: `signalWithStart ${theirs.toFixed(0)}/s; ${theirCpu.totalMs.toFixed(1)} ms CPU`,
    ratio: times(mine / theirs),
    goal: '≥ 0.8x',
    met: mine >= 0.8 * theirs,
  });
}

const alert = (sourceId: string, hostname: string) => ({ sourceId, title: 'Beacon', severity: 'high', rule: { id: 'c2' }, assets: [{ hostname }] });

/** Each shape's sends for one run: irflow's and the baseline's, on names of the run's own. */
function shapes(run: string) {
  return {
    opening: {
      irflow: (i: number) => postOne(alert(`${run}-o-${i}`, `${run}-host-${i}`)),
      bare: (i: number) => signalPlain(stack.client, BARE_TASK_QUEUE, `${run}-bare-${i}`, [{ sourceId: `${run}-b-${i}` }]),
    },
    joining: {
      irflow: (i: number) => postOne(alert(`${run}-j-${i}`, `${run}-one-host`)),
      bare: (i: number) => signalPlain(stack.client, BARE_TASK_QUEUE, `${run}-bare-one`, [{ sourceId: `${run}-bj-${i}` }]),
    },
  };
}

try {
  // Warm both paths, and open the incident (and the workflow) that joining alerts join.
  const warm = shapes('warm');
  await rate(32, 16, warm.opening.irflow);
  await rate(32, 16, warm.opening.bare);
  console.log(`database: ${stack.database.kind}; ${PER_RUN} alerts a run, ${RUNS} runs a figure, median`);
  for (const inFlight of [16, 64]) {
    for (const shape of SHAPES) {
      const irflow: Measured[] = [];
      const bare: Measured[] = [];
      for (let r = 0; r < RUNS; r++) {
        const run = shapes(randomUUID().slice(0, 8))[shape];
        if (shape === 'joining') await Promise.all([run.irflow(-1), run.bare(-1)]); // the incident and the workflow exist
        await settled();
        irflow.push(await measured(inFlight, run.irflow));
        bare.push(await measured(inFlight, run.bare));
      }
      report(shape, inFlight, irflow, bare);
    }
  }
} finally {
  await stack.close();
}
