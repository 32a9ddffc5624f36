/**
 * Determinism check of an incident's workflow history against today's workflow code, with
 * `Worker.runReplayHistory`. The bundle is built once per process (or given, in tests).
 */
import { bundleWorkflowCode, DefaultLogger, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils.js';
import { WORKFLOWS_PATH } from './worker.js';

export interface DeterminismVerdict {
  deterministic: boolean;
  /** The failure replay met, e.g. a DeterminismViolationError's message. */
  error?: string;
}

export type Replayer = (historyJson: unknown, workflowId: string) => Promise<DeterminismVerdict>;

export function createReplayer(options: { workflowBundle?: WorkflowBundleWithSourceMap; workflowsPath?: string } = {}): Replayer {
  let bundle: Promise<WorkflowBundleWithSourceMap> | undefined = options.workflowBundle ? Promise.resolve(options.workflowBundle) : undefined;
  return async (historyJson, workflowId) => {
    bundle ??= bundleWorkflowCode({ workflowsPath: options.workflowsPath ?? WORKFLOWS_PATH, logger: new DefaultLogger('ERROR') });
    const history = historyFromJSON(historyJson);
    try {
      await Worker.runReplayHistory({ workflowBundle: await bundle }, history, workflowId);
      return { deterministic: true };
    } catch (error) {
      return { deterministic: false, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
    }
  };
}
