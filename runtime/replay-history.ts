/**
 * What a replay of an incident's workflow history answers, and what the replay thread
 * (runtime/replay.thread.ts) and its replayer (runtime/replayer.ts) say to each other.
 */
import { historyFromJSON } from '@temporalio/common/lib/proto-utils.js';
import type { temporal } from '@temporalio/proto';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';

export interface DeterminismVerdict {
  deterministic: boolean;
  /** The failure replay met, e.g. a DeterminismViolationError's message. */
  error?: string;
  /** What the verdict rests on when it is not a replay (a run whose first task has not completed). */
  note?: string;
}

export interface ReplayThreadData {
  /** Marks the thread's data (the module only serves in a thread given it). */
  replayThread: true;
  /** The bundle to replay against, or the workflows to bundle here. */
  workflowBundle?: WorkflowBundleWithSourceMap;
  workflowsPath: string;
}

export interface ReplayRequest {
  id: number;
  historyJson: unknown;
  workflowId: string;
}

export type ReplayThreadMessage =
  | { type: 'ready'; stackTraceHooks: 'skipped' | 'installed' }
  | { type: 'verdict'; id: number; verdict: DeterminismVerdict }
  /** The replay worker itself failed: the thread ends after saying so. */
  | { type: 'failed'; error: string };

export const describeError = (error: unknown) => (error instanceof Error ? `${error.name}: ${error.message}` : String(error));

/**
 * The history to replay, or the verdict without a replay: one that does not parse, that core's
 * replay worker cannot take (it needs the run's start first, with its run id; without, its poller
 * never ends), or a run just continued as new, before its first task completed (no workflow code
 * ran, so no command can differ, and core's replay worker, given such a history, never ends).
 */
export function historyToReplay(historyJson: unknown): { history: temporal.api.history.v1.IHistory } | { verdict: DeterminismVerdict } {
  let history: temporal.api.history.v1.IHistory;
  try {
    history = historyFromJSON(historyJson);
  } catch (error) {
    return { verdict: { deterministic: false, error: describeError(error) } };
  }
  const started = history.events?.[0]?.workflowExecutionStartedEventAttributes;
  if (!started) return { verdict: { deterministic: false, error: 'the history does not begin with WorkflowExecutionStarted' } };
  if (!started.originalExecutionRunId) return { verdict: { deterministic: false, error: 'the history does not name its run (originalExecutionRunId)' } };
  if (!history.events?.some((event) => event.workflowTaskCompletedEventAttributes)) {
    return { verdict: { deterministic: true, note: 'no workflow task of this run has completed yet: nothing to replay' } };
  }
  return { history };
}

