/**
 * Determinism check of an incident's workflow history against today's workflow code, with the
 * SDK's replay worker on a thread of its own (runtime/replay.thread.ts). One replay thread per
 * replayer, kept between replays and ended after a minute without one: it loads the bundle once,
 * not per replay.
 *
 * Not in the calling thread: there the SDK's replay worker would install its promise hook for
 * good, and from the first replay on every promise of the API process paid for a stack trace
 * (promise-heavy work measured 14x slower after one replay, `bench:replay`, BENCHMARKS.md); and a
 * long replay would hold the API's event loop. A replay that outlives its deadline ends with its
 * thread.
 */
import { Worker as Thread } from 'node:worker_threads';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { describeError, type DeterminismVerdict, type ReplayRequest, type ReplayThreadData, type ReplayThreadMessage } from './replay-history.js';
import { WORKFLOWS_PATH } from './worker.js';

export type { DeterminismVerdict } from './replay-history.js';

export type Replayer = ((historyJson: unknown, workflowId: string) => Promise<DeterminismVerdict>) & {
  /** Ends the replay thread (a later replay starts another). */
  close(): Promise<void>;
  /** Whether the replay thread, once started, skips the SDK's stack-trace hooks (undefined before it is ready). */
  stackTraceHooks(): 'skipped' | 'installed' | undefined;
  /** Whether a replay thread is running now (it ends after `idleMs` without a replay). */
  threadRunning(): boolean;
};

/** A replay thread kept this long after its last replay. */
export const REPLAYER_IDLE_MS = 60_000;
/** A replay not done by then is reported as failed, and its replay thread ended. */
export const REPLAY_DEADLINE_MS = 120_000;

const LATE = Symbol('late');

export interface ReplayerOptions {
  /** The bundle, or how to get it once it is needed; by default the replay thread bundles `workflowsPath`. */
  workflowBundle?: WorkflowBundleWithSourceMap | (() => Promise<WorkflowBundleWithSourceMap>);
  workflowsPath?: string;
  idleMs?: number;
  deadlineMs?: number;
}

/** One replay thread: replays sent to it answered in order, until it ends. */
class ReplayThread {
  private readonly thread: Thread;
  private readonly waiting = new Map<number, (verdict: DeterminismVerdict) => void>();
  private nextId = 0;
  private ended: string | undefined;
  readonly ready: Promise<'skipped' | 'installed'>;

  constructor(data: ReplayThreadData) {
    this.thread = new Thread(new URL('./replay.thread.mjs', import.meta.url), { workerData: data });
    this.thread.unref();
    this.ready = new Promise((resolve, reject) => {
      this.thread.on('message', (message: ReplayThreadMessage) => {
        if (message.type === 'ready') resolve(message.stackTraceHooks);
        else if (message.type === 'verdict') this.answer(message.id, message.verdict);
        else this.end(message.error, reject);
      });
      this.thread.on('error', (error) => this.end(describeError(error), reject));
      this.thread.on('exit', (code) => this.end(`the replay thread exited (${code})`, reject));
    });
    this.ready.catch(() => undefined);
  }

  get alive(): boolean {
    return this.ended === undefined;
  }

  async replay(historyJson: unknown, workflowId: string): Promise<DeterminismVerdict> {
    await this.ready;
    if (this.ended) return { deterministic: false, error: this.ended };
    const id = (this.nextId += 1);
    const answered = new Promise<DeterminismVerdict>((resolve) => this.waiting.set(id, resolve));
    this.thread.postMessage({ id, historyJson, workflowId } satisfies ReplayRequest);
    return answered;
  }

  /** Ends the thread: replays under way are answered as failed with the reason. */
  end(reason: string, reject?: (error: Error) => void): void {
    if (this.ended) return;
    this.ended = reason;
    reject?.(new Error(reason));
    for (const id of [...this.waiting.keys()]) this.answer(id, { deterministic: false, error: reason });
    void this.thread.terminate();
  }

  private answer(id: number, verdict: DeterminismVerdict): void {
    this.waiting.get(id)?.(verdict);
    this.waiting.delete(id);
  }
}

export function createReplayer(options: ReplayerOptions = {}): Replayer {
  let thread: ReplayThread | undefined;
  let hooks: 'skipped' | 'installed' | undefined;
  let idle: NodeJS.Timeout | undefined;
  /** Replays run one after another: each deadline counts from its own start. */
  let turn: Promise<unknown> = Promise.resolve();

  async function start(): Promise<ReplayThread> {
    const given = options.workflowBundle;
    const workflowBundle = typeof given === 'function' ? await given() : given;
    const started = new ReplayThread({ replayThread: true, workflowBundle, workflowsPath: options.workflowsPath ?? WORKFLOWS_PATH });
    started.ready.then((state) => (hooks = state)).catch(() => undefined);
    return started;
  }

  async function replayOne(historyJson: unknown, workflowId: string): Promise<DeterminismVerdict> {
    clearTimeout(idle);
    if (!thread?.alive) thread = await start();
    const current = thread;
    const deadlineMs = options.deadlineMs ?? REPLAY_DEADLINE_MS;
    let deadline: NodeJS.Timeout | undefined;
    const late = new Promise<typeof LATE>((resolve) => (deadline = setTimeout(() => resolve(LATE), deadlineMs)));
    try {
      const verdict = await Promise.race([current.replay(historyJson, workflowId), late]);
      if (verdict !== LATE) return verdict;
      // A replay past its deadline may never end: its thread goes with it.
      const error = `the replay did not end within ${deadlineMs / 1000} s`;
      current.end(error);
      return { deterministic: false, error };
    } finally {
      clearTimeout(deadline);
      idle = setTimeout(() => thread?.end('the replay thread was idle'), options.idleMs ?? REPLAYER_IDLE_MS);
      idle.unref();
    }
  }

  const replayer = (historyJson: unknown, workflowId: string): Promise<DeterminismVerdict> => {
    const result = turn.then(() => replayOne(historyJson, workflowId));
    turn = result.catch(() => undefined);
    return result;
  };
  return Object.assign(replayer, {
    async close() {
      clearTimeout(idle);
      await turn;
      thread?.end('the replayer was closed');
      thread = undefined;
    },
    stackTraceHooks: () => hooks,
    threadRunning: () => thread?.alive === true,
  });
}
