/**
 * Alert intake at concurrency: single alerts posted over HTTP, 16 and 64 requests in flight, as
 * `npm start` runs the API with its worker in one process on a dev server. Two shapes: alerts
 * each opening an incident (a host of its own), and alerts joining one open incident (one host,
 * new source ids). Baseline in the same run, same client and server: signalWithStart of a
 * workflow that only holds its alerts (bench/bare), new workflows for the first shape, one for the
 * second. Goal: irflow at >= 0.8x the baseline's alerts/s.
 *
 *   npm run bench:intake
 *   BENCH_INTAKE_SHAPES=joining node --cpu-prof --import tsx bench/intake.bench.ts
 */
import { randomUUID } from 'node:crypto';
import pLimit from 'p-limit';
import { median } from './bench-database.js';
import { BARE_TASK_QUEUE, startBenchStack } from './bench-stack.js';
import { postAlerts, signalPlain } from './intake-client.js';
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

const alert = (sourceId: string, hostname: string) => ({ sourceId, title: 'Beacon', severity: 'high', rule: { id: 'c2' }, assets: [{ hostname }] });

/** Each shape's sends for one run: irflow's and the baseline's, on names of the run's own. */
function shapes(run: string) {
  return {
    opening: {
      irflow: async (i: number) => void (await postAlerts(stack.api, stack.token, [alert(`${run}-o-${i}`, `${run}-host-${i}`)])),
      bare: (i: number) => signalPlain(stack.client, BARE_TASK_QUEUE, `${run}-bare-${i}`, [{ sourceId: `${run}-b-${i}` }]),
    },
    joining: {
      irflow: async (i: number) => void (await postAlerts(stack.api, stack.token, [alert(`${run}-j-${i}`, `${run}-one-host`)])),
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
      const irflow: number[] = [];
      const bare: number[] = [];
      for (let r = 0; r < RUNS; r++) {
        const run = shapes(randomUUID().slice(0, 8))[shape];
        if (shape === 'joining') await Promise.all([run.irflow(-1), run.bare(-1)]); // the incident and the workflow exist
        irflow.push(await rate(PER_RUN, inFlight, run.irflow));
        bare.push(await rate(PER_RUN, inFlight, run.bare));
      }
      const [mine, theirs] = [median(irflow), median(bare)];
      const what = shape === 'opening' ? 'alerts opening incidents' : 'alerts joining an incident';
      console.log(`${what}, ${inFlight} in flight: irflow ${mine.toFixed(0)}/s, bare signalWithStart ${theirs.toFixed(0)}/s, ratio ${(mine / theirs).toFixed(2)}x (goal >= 0.8x)`);
      reportFigure({ figure: `${what}, ${inFlight} in flight`, irflow: `${mine.toFixed(0)}/s`, baseline: `signalWithStart ${theirs.toFixed(0)}/s`, ratio: times(mine / theirs), goal: '≥ 0.8x', met: mine >= 0.8 * theirs });
    }
  }
} finally {
  await stack.close();
}
