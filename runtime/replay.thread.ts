/**
 * The replay thread: one SDK replay worker, fed one history at a time by runtime/replayer.ts.
 *
 * The replay worker runs the workflow code in this thread (`debugMode: true`), and this thread
 * skips the SDK's stack-trace hooks. Those hooks serve the `__stack_trace` query of a live
 * workflow; no one queries a replay. With them, every promise of the replayed workflow code paid
 * for a stack trace mapped through the bundle's source map: a third of a long replay's time
 * (`bench:replay`, BENCHMARKS.md). Off the API's thread, neither the hooks nor a replay's CPU
 * touch the API's event loop.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { bundleWorkflowCode, DefaultLogger, Runtime, Worker, type Logger, type ReplayResult, type ReplayWorkerOptions } from '@temporalio/worker';
import type { CompiledWorkerOptions } from '@temporalio/worker/lib/worker-options.js';
import type { WorkflowCreator } from '@temporalio/worker/lib/workflow/interface.js';
import { globalHandlers } from '@temporalio/worker/lib/workflow/vm-shared.js';
import type { WorkflowBundleWithSourceMapAndFilename } from '@temporalio/worker/lib/workflow/workflow-worker-thread/input.js';
import { HistoryQueue } from './history-queue.js';
import { describeError, historyToReplay, type ReplayRequest, type ReplayThreadData, type ReplayThreadMessage } from './replay-history.js';

/**
 * The SDK's replay worker, its workflow code entered without an execution timeout. With one (49
 * days in debug mode), Node starts and joins a watchdog thread for every call into the workflow
 * context: a quarter of a long replay's time. This thread's own deadline (runtime/replayer.ts
 * ends the thread) stops a replay that never ends.
 */
class ReplayThreadWorker extends Worker {
  protected static override async createWorkflowCreator(bundle: WorkflowBundleWithSourceMapAndFilename, options: CompiledWorkerOptions, logger: Logger): Promise<WorkflowCreator> {
    return super.createWorkflowCreator(bundle, { ...options, isolateExecutionTimeoutMs: undefined as unknown as number }, logger);
  }
}

/**
 * Marks the SDK's stack-trace hooks (promise hook, prepareStackTrace) of this thread as installed
 * without installing them. Says whether it could: if a later SDK moved them, replays still run,
 * with the hooks.
 */
export function skipStackTraceHooks(): boolean {
  if (typeof globalHandlers?.installed !== 'boolean' || globalHandlers.promiseHookInstalled) return false;
  globalHandlers.installed = true;
  return true;
}

async function serve(port: NonNullable<typeof parentPort>, data: ReplayThreadData): Promise<void> {
  const skipped = skipStackTraceHooks();
  // Core's own warnings (a nondeterministic task) are the verdict's error already.
  Runtime.install({ logger: new DefaultLogger('ERROR'), telemetryOptions: { logging: { filter: { core: 'ERROR', other: 'ERROR' } } } });
  const workflowBundle = data.workflowBundle ?? (await bundleWorkflowCode({ workflowsPath: data.workflowsPath, logger: new DefaultLogger('ERROR') }));
  const queue = new HistoryQueue();
  // ReplayWorkerOptions leaves debugMode out of its type; the SDK's replay worker takes it (it
  // defaults it to true): the workflow code runs in this thread, not in threads of its own.
  const options: ReplayWorkerOptions & { debugMode: boolean } = { workflowBundle, debugMode: true, replayName: 'irflow-replay' };
  const results: AsyncIterator<ReplayResult> = ReplayThreadWorker.runReplayHistories(options, queue);
  const send = (message: ReplayThreadMessage) => port.postMessage(message);
  let turn: Promise<void> = Promise.resolve();
  const replay = async ({ id, historyJson, workflowId }: ReplayRequest) => {
    const read = historyToReplay(historyJson);
    if ('verdict' in read) return send({ type: 'verdict', id, verdict: read.verdict });
    queue.push({ history: read.history, workflowId });
    const next = await results.next();
    if (next.done) throw new Error('the replay worker stopped');
    send({ type: 'verdict', id, verdict: next.value.error ? { deterministic: false, error: describeError(next.value.error) } : { deterministic: true } });
  };
  port.on('message', (request: ReplayRequest) => {
    turn = turn.then(() => replay(request)).catch((error) => {
      // The replay worker cannot be trusted after a failure of its own: the replayer starts another.
      send({ type: 'failed', error: describeError(error) });
      port.close();
    });
  });
  send({ type: 'ready', stackTraceHooks: skipped ? 'skipped' : 'installed' });
}

if (parentPort && (workerData as ReplayThreadData | undefined)?.replayThread) {
  const port = parentPort;
  serve(port, workerData as ReplayThreadData).catch((error) => {
    port.postMessage({ type: 'failed', error: describeError(error) } satisfies ReplayThreadMessage);
    port.close();
  });
}
