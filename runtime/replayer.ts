/**
 * Determinism check of an incident's workflow history against today's workflow code, with the
 * SDK's replay worker. One replay worker per replayer, kept between replays and closed after a
 * minute without one: its workflow threads load the bundle once, not per replay.
 *
 * The replay worker runs workflows in worker threads (`debugMode: false`), never in the calling
 * thread. In the calling thread (the SDK's default for replay) it installs its promise hook there
 * for good, and from the first replay on every promise of the API process paid for a stack
 * trace: promise-heavy work measured 14x slower after one replay (`bench:replay`, BENCHMARKS.md).
 */
import { bundleWorkflowCode, DefaultLogger, Worker, type ReplayResult, type ReplayWorkerOptions, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils.js';
import type { temporal } from '@temporalio/proto';
import { HistoryQueue } from './history-queue.js';
import { WORKFLOWS_PATH } from './worker.js';

export interface DeterminismVerdict {
  deterministic: boolean;
  /** The failure replay met, e.g. a DeterminismViolationError's message. */
  error?: string;
  /** What the verdict rests on when it is not a replay (a run whose first task has not completed). */
  note?: string;
}

export type Replayer = ((historyJson: unknown, workflowId: string) => Promise<DeterminismVerdict>) & {
  /** Stops the replay worker (a later replay starts another). */
  close(): Promise<void>;
};

/** A replay worker kept this long after its last replay. */
export const REPLAYER_IDLE_MS = 60_000;
/** A replay not done by then is reported as failed, and its replay worker given up. */
export const REPLAY_DEADLINE_MS = 120_000;

/**
 * Why core's replay worker could not take this history, if it could not: it needs the run's
 * start first, with its run id (without, its poller dies and the replay never ends).
 */
function unreplayable(history: temporal.api.history.v1.IHistory): string | undefined {
  const started = history.events?.[0]?.workflowExecutionStartedEventAttributes;
  if (!started) return 'the history does not begin with WorkflowExecutionStarted';
  if (!started.originalExecutionRunId) return 'the history does not name its run (originalExecutionRunId)';
  return undefined;
}

const describe = (error: unknown) => (error instanceof Error ? `${error.name}: ${error.message}` : String(error));

interface Session {
  queue: HistoryQueue;
  results: AsyncIterator<ReplayResult>;
}

export interface ReplayerOptions {
  /** The bundle, or how to get it once it is needed; by default `workflowsPath` is bundled on the first replay. */
  workflowBundle?: WorkflowBundleWithSourceMap | (() => Promise<WorkflowBundleWithSourceMap>);
  workflowsPath?: string;
  idleMs?: number;
}

export function createReplayer(options: ReplayerOptions = {}): Replayer {
  const given = options.workflowBundle;
  let bundle: Promise<WorkflowBundleWithSourceMap> | undefined = given && typeof given !== 'function' ? Promise.resolve(given) : undefined;
  let session: Session | undefined;
  let idle: NodeJS.Timeout | undefined;
  /** Replays run one after another on the session: each result belongs to the history pushed before it. */
  let turn: Promise<unknown> = Promise.resolve();

  async function open(): Promise<Session> {
    bundle ??= typeof given === 'function' ? given() : bundleWorkflowCode({ workflowsPath: options.workflowsPath ?? WORKFLOWS_PATH, logger: new DefaultLogger('ERROR') });
    const queue = new HistoryQueue();
    // ReplayWorkerOptions leaves debugMode out of its type, but the SDK's replay worker takes it
    // (it only defaults it to true); test/integration/replay.test.ts checks this thread stays clean.
    const replayOptions: ReplayWorkerOptions & { debugMode: boolean } = { workflowBundle: await bundle, debugMode: false, replayName: 'irflow-replay' };
    const results = Worker.runReplayHistories(replayOptions, queue);
    return { queue, results };
  }

  function end(ending: Session | undefined): void {
    if (!ending) return;
    if (session === ending) session = undefined;
    ending.queue.close();
    // Lets the generator leave its loop and shut the replay worker down; not awaited: a generator
    // stuck in a replay only gets there once that replay ends.
    void ending.results.return?.(undefined).catch(() => undefined);
  }

  async function replayOne(history: temporal.api.history.v1.IHistory, workflowId: string): Promise<DeterminismVerdict> {
    clearTimeout(idle);
    session ??= await open();
    const current = session;
    current.queue.push({ history, workflowId });
    let deadline: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      deadline = setTimeout(() => reject(new Error(`the replay did not end within ${REPLAY_DEADLINE_MS / 1000} s`)), REPLAY_DEADLINE_MS);
    });
    try {
      const next = await Promise.race([current.results.next(), late]);
      if (next.done) throw new Error('the replay worker stopped');
      return next.value.error ? { deterministic: false, error: describe(next.value.error) } : { deterministic: true };
    } catch (error) {
      // The session cannot be trusted after a failure of its own: the next replay starts another.
      end(current);
      return { deterministic: false, error: describe(error) };
    } finally {
      clearTimeout(deadline);
      idle = setTimeout(() => void end(session), options.idleMs ?? REPLAYER_IDLE_MS);
      idle.unref();
    }
  }

  const replayer = (historyJson: unknown, workflowId: string): Promise<DeterminismVerdict> => {
    let history: temporal.api.history.v1.IHistory;
    try {
      history = historyFromJSON(historyJson);
    } catch (error) {
      return Promise.resolve({ deterministic: false, error: describe(error) });
    }
    const refusal = unreplayable(history);
    if (refusal) return Promise.resolve({ deterministic: false, error: refusal });
    // A run just continued as new has no completed task yet: no workflow code ran, no command can
    // differ (and core's replay worker, given such a history, never ends).
    if (!history.events?.some((event) => event.workflowTaskCompletedEventAttributes)) {
      return Promise.resolve({ deterministic: true, note: 'no workflow task of this run has completed yet: nothing to replay' });
    }
    const result = turn.then(() => replayOne(history, workflowId));
    turn = result.catch(() => undefined);
    return result;
  };
  return Object.assign(replayer, {
    async close() {
      clearTimeout(idle);
      await turn;
      end(session);
    },
  });
}
