/**
 * The incident worker's slots, cache and threads, from the environment. Unset, each is the SDK's
 * own default but the workflow threads: two, not one. Measured on the 2-core machine this is built
 * on (BENCHMARKS.md, "Worker options"): with one thread, a 2,000-alert burst left the read side
 * 4.0-5.5 s behind the last 202, with two 2.7-3.8 s; under a steady load of new incidents two
 * recorded 12-13/s against 7-10/s and cleared the backlog at 50-57/s against 45/s. A thread
 * spends much of each call into workflow code waiting: the SDK runs every call with its deadlock
 * timeout, for which Node starts and joins a watchdog thread, and on a busy machine that thread
 * waits to be scheduled; a second thread runs workflow code meanwhile. Fewer workflow task slots
 * (8) recorded less, more (100) no more; set the others from the same benchmark
 * (`npm run bench:worker`) on a larger machine.
 *
 *   IRFLOW_WORKFLOW_TASK_SLOTS    workflow tasks run at once (SDK: 40)
 *   IRFLOW_LOCAL_ACTIVITY_SLOTS   local activities (the ledger's recordings) at once (SDK: 100)
 *   IRFLOW_ACTIVITY_SLOTS         activities (lookups, notifications) at once (SDK: 100)
 *   IRFLOW_CACHED_WORKFLOWS       incidents kept in memory between their tasks (SDK: from the heap size)
 *   IRFLOW_WORKFLOW_THREADS       threads running workflow code (irflow: 2; SDK: 1)
 */
import type { WorkerOptions } from '@temporalio/worker';

export type WorkerTuning = Pick<
  WorkerOptions,
  | 'maxConcurrentWorkflowTaskExecutions'
  | 'maxConcurrentLocalActivityExecutions'
  | 'maxConcurrentActivityTaskExecutions'
  | 'maxCachedWorkflows'
  | 'workflowThreadPoolSize'
>;

export class WorkerTuningError extends Error {
  override name = 'WorkerTuningError';
}

const SETTINGS: Record<string, { option: keyof WorkerTuning; minimum: number }> = {
  IRFLOW_WORKFLOW_TASK_SLOTS: { option: 'maxConcurrentWorkflowTaskExecutions', minimum: 2 },
  IRFLOW_LOCAL_ACTIVITY_SLOTS: { option: 'maxConcurrentLocalActivityExecutions', minimum: 1 },
  IRFLOW_ACTIVITY_SLOTS: { option: 'maxConcurrentActivityTaskExecutions', minimum: 1 },
  IRFLOW_CACHED_WORKFLOWS: { option: 'maxCachedWorkflows', minimum: 0 },
  IRFLOW_WORKFLOW_THREADS: { option: 'workflowThreadPoolSize', minimum: 1 },
};

/** What irflow sets when the environment does not (see above). */
export const WORKER_TUNING_DEFAULTS: WorkerTuning = { workflowThreadPoolSize: 2 };

/**
 * The options the environment sets over irflow's defaults; the others are left to the SDK. A value that is not a whole
 * number at least the setting's minimum (the SDK needs two workflow task slots: one for the sticky
 * queue, one for the normal one) is refused with the setting's name.
 */
export function workerTuningFromEnv(env: NodeJS.ProcessEnv = process.env): WorkerTuning {
  const tuning: WorkerTuning = { ...WORKER_TUNING_DEFAULTS };
  for (const [name, { option, minimum }] of Object.entries(SETTINGS)) {
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < minimum) throw new WorkerTuningError(`${name}=${raw} is not a whole number of at least ${minimum}`);
    tuning[option] = value;
  }
  return tuning;
}
