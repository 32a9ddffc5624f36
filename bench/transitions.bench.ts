/**
 * Transitions against a bare Temporal Update. Over real HTTP to the API with its worker in the
 * same process (as `npm start` runs them), a Temporal dev server, and Postgres (DATABASE_URL) or
 * PGlite. irflow: `POST /v1/incidents/:id/transitions` - the Update, the stage's gate, the ledger
 * append and projection recorded durably, the 200 answer. Baseline, same run, same server: the
 * Update of a workflow that only holds a stage (bench/bare/bare-case.workflow.ts), sent with the
 * same SDK client. Both one at a time (p50 latency) and 16 incidents at once (throughput).
 * Also printed: irflow's Update sent straight to the workflow, without HTTP, to tell the API's
 * share from the worker's. Goal (issue 13): p50 within 2x of the bare Update. Printed with each
 * figure: the CPU a transition cost every process (this one, Temporal, Postgres), and with
 * BENCH_TEMPORAL_METRICS=1 the workflow task and local activity latencies of both workflows.
 *
 *   npm run bench:transitions      BENCH_TRANSITIONS (default 200) per figure
 *   BENCH_TRANSITION_CASES=1 node --cpu-prof --cpu-prof-dir=profiles --import tsx bench/transitions.bench.ts
 */
import { randomUUID } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { applyEventUpdate, incidentWorkflowId } from '../workflows/incident.messages.js';
import { bareStepUpdate } from './bare/bare-case.workflow.js';
import { BARE_TASK_QUEUE, startBenchStack } from './bench-stack.js';
import { median } from './bench-database.js';
import { ceilingPerSecond, cpuPerItem, cpuSnapshot, cpuUsed } from './process-cpu.js';
import { ms, reportFigure, times } from './report.js';

const TRANSITIONS = Number(process.env.BENCH_TRANSITIONS ?? 200);
/** Which figures: incidents at once, e.g. BENCH_TRANSITION_CASES=1 under the profiler. */
const CASES = (process.env.BENCH_TRANSITION_CASES ?? '1,16').split(',').map(Number);
const CYCLE_PLAYBOOK = {
  id: 'bench-cycle',
  name: 'Benchmark cycle',
  initial: 'triage',
  // SLA clocks as every real playbook has them: each transition moves a durable timer.
  slas: { resolve: { low: '30d' } },
  stages: {
    triage: { sla: { low: '7d' }, on: { park: { to: 'parked' } } },
    parked: { sla: { low: '7d' }, on: { unpark: { to: 'triage' }, close: { to: 'closed' } } },
    closed: { closed: true },
  },
};
const EVENTS = ['park', 'unpark'] as const;

const stack = await startBenchStack({ name: 'transitions', bareWorkflows: new URL('./bare/bare-case.workflow.ts', import.meta.url) });

async function call(method: string, path: string, body?: unknown): Promise<any> {
  const response = await fetch(`${stack.api}${path}`, {
    method,
    headers: { authorization: `Bearer ${stack.token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const answer = await response.json();
  if (response.status >= 300) throw new Error(`${method} ${path} answered ${response.status}: ${JSON.stringify(answer).slice(0, 300)}`);
  return answer;
}

/** A way to send the i-th transition of case `c`; resolves when it is answered. */
type Sender = (c: string, i: number) => Promise<void>;
type Opener = () => Promise<string>;

const irflowOpen: Opener = async () => (await call('POST', '/v1/incidents', { title: 'bench transition', severity: 'low', playbook: 'bench-cycle' })).id;
const overHttp: Sender = async (id, i) => void (await call('POST', `/v1/incidents/${id}/transitions`, { event: EVENTS[i % 2] }));
const straight: Sender = async (id, i) =>
  void (await stack.client.workflow.getHandle(incidentWorkflowId(id)).executeUpdate(applyEventUpdate, { args: [{ event: EVENTS[i % 2]!, actor: 'bench' }] }));
const bareOpen: Opener = async () => {
  const handle = await stack.client.workflow.start('bareCase', { workflowId: `bare-case-${randomUUID()}`, taskQueue: BARE_TASK_QUEUE });
  return handle.workflowId;
};
const bareUpdate: Sender = async (id, i) => void (await stack.client.workflow.getHandle(id).executeUpdate(bareStepUpdate, { args: [{ event: EVENTS[i % 2]!, actor: 'bench' }] }));

/** `cases` cases at once, each sent its transitions one after another: p50 latency and throughput. */
async function measure(open: Opener, send: Sender, cases: number): Promise<{ p50: number; perSecond: number; eventsEach: number; cpu: { totalMs: number; parts: string } }> {
  const ids = await Promise.all(Array.from({ length: cases }, open));
  await Promise.all(ids.map((id) => send(id, 0).then(() => send(id, 1)))); // warm: each case cached on the worker
  const latencies: number[] = [];
  const each = Math.ceil(TRANSITIONS / cases) * 2;
  const cpuBefore = cpuSnapshot(stack.cpuProcesses());
  const started = performance.now();
  await Promise.all(
    ids.map(async (id) => {
      for (let i = 0; i < each; i += 1) {
        const t = performance.now();
        await send(id, i);
        latencies.push(performance.now() - t);
      }
    }),
  );
  const perSecond = latencies.length / ((performance.now() - started) / 1000);
  const cpu = cpuPerItem(cpuUsed(cpuBefore, cpuSnapshot(stack.cpuProcesses())), latencies.length);
  const before = await historyLength(ids[0]!);
  await send(ids[0]!, each);
  return { p50: median(latencies), perSecond, eventsEach: (await historyLength(ids[0]!)) - before, cpu };
}

/** Events in the workflow's history: what one more transition adds is what the server stores for it. */
async function historyLength(id: string): Promise<number> {
  const workflowId = id.startsWith('bare-case-') ? id : incidentWorkflowId(id);
  const { events } = await stack.client.workflow.getHandle(workflowId).fetchHistory();
  return events?.length ?? 0;
}

/**
 * Runs a measurement and prints the mean of each Temporal histogram over it (BENCH_TEMPORAL_METRICS=1);
 * answers the result and the means by histogram (empty without the metrics).
 */
async function withHistograms<T>(label: string, measurement: () => Promise<T>): Promise<[T, Map<string, number>]> {
  const before = await stack.temporalHistograms();
  const result = await measurement();
  const means = new Map<string, number>();
  for (const [name, { sum, count }] of await stack.temporalHistograms()) {
    const n = count - (before.get(name)?.count ?? 0);
    if (n === 0) continue;
    means.set(name, (sum - (before.get(name)?.sum ?? 0)) / n);
    console.log(`  ${label}: ${name}: ${n} x, mean ${means.get(name)!.toFixed(2)} ms`);
  }
  return [result, means];
}

/** "(task 20.7, ledger 8.0)": a workflow task's and the ledger append's mean in ms, when measured. */
function taskParts(means: Map<string, number>, workflowType: string): string {
  const task = means.get(`temporal_workflow_task_execution_latency ${workflowType}`);
  const ledger = means.get('temporal_local_activity_execution_latency recordIncidentSteps');
  if (task === undefined) return '';
  return ` (task ${task.toFixed(1)}${ledger === undefined ? '' : `, ledger ${ledger.toFixed(1)}`})`;
}

try {
  await call('POST', '/v1/playbooks', CYCLE_PLAYBOOK);
  console.log(`database: ${stack.database.kind}; ${TRANSITIONS}+ transitions a figure`);
  for (const cases of CASES) {
    const [bare, bareMeans] = await withHistograms('bare Update', () => measure(bareOpen, bareUpdate, cases));
    const http = await measure(irflowOpen, overHttp, cases);
    const [direct, irflowMeans] = await withHistograms("irflow's Update alone", () => measure(irflowOpen, straight, cases));
    const what = cases === 1 ? 'one at a time' : `${cases} incidents at once`;
    console.log(
      `transitions, ${what}: irflow over HTTP p50 ${http.p50.toFixed(1)} ms, ${http.perSecond.toFixed(0)}/s; ` +
        `its Update alone p50 ${direct.p50.toFixed(1)} ms, ${direct.perSecond.toFixed(0)}/s; ` +
        `bare Update p50 ${bare.p50.toFixed(1)} ms, ${bare.perSecond.toFixed(0)}/s; ` +
        `ratio p50 ${(http.p50 / bare.p50).toFixed(2)}x (goal <= 2x), throughput ${(http.perSecond / bare.perSecond).toFixed(2)}x; ` +
        `history events a transition: irflow ${http.eventsEach}, bare ${bare.eventsEach}`,
    );
    console.log(
      `  CPU a transition, all processes: irflow over HTTP ${http.cpu.totalMs.toFixed(1)} ms (${http.cpu.parts}), its Update alone ${direct.cpu.totalMs.toFixed(1)} ms (${direct.cpu.parts}), ` +
        `bare ${bare.cpu.totalMs.toFixed(1)} ms (${bare.cpu.parts}); on ${availableParallelism()} cores at most ${ceilingPerSecond(http.cpu.totalMs).toFixed(0)}/s and ${ceilingPerSecond(bare.cpu.totalMs).toFixed(0)}/s`,
    );
    // The table's cells carry what explains them: one at a time the workflow task's parts, at once the CPU.
    const [mine, theirs] = cases === 1 ? [taskParts(irflowMeans, 'incidentWorkflow'), taskParts(bareMeans, 'bareCase')] : [`; ${ms(http.cpu.totalMs)} CPU`, `; ${ms(bare.cpu.totalMs)} CPU`];
    reportFigure({ figure: `transition p50, ${what}`, irflow: `${ms(http.p50)}${mine}`, baseline: `bare Update ${ms(bare.p50)}${theirs}`, ratio: times(http.p50 / bare.p50), goal: '≤ 2x', met: http.p50 / bare.p50 <= 2 });
    if (cases > 1) {
      const ratio = http.perSecond / bare.perSecond;
      reportFigure({ figure: `transitions/s, ${what}`, irflow: `${http.perSecond.toFixed(0)}/s${mine}`, baseline: `bare Update ${bare.perSecond.toFixed(0)}/s${theirs}`, ratio: times(ratio), goal: '≥ 0.5x', met: ratio >= 0.5 });
    }
  }
} finally {
  await stack.close();
}
