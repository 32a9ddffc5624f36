/**
 * The API's side of the business-unit digests (workflows/digest.workflow.ts): the workflow is
 * started when the API is ready (once per namespace and task queue; a running one is left alone),
 * told of each exposure a rule opened, and asked for a digest now.
 */
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { DIGEST_WORKFLOW_ID, DIGEST_WORKFLOW_TYPE, digestNowSignal, exposureOpenedSignal, type DigestInput } from '../workflows/digest.workflow.js';

export interface DigestDesk {
  ensureRunning(): Promise<void>;
  exposureOpened(incidentId: string): Promise<void>;
  sendNow(): Promise<void>;
}

export function createDigestDesk(temporal: Client, taskQueue: string, input: DigestInput = {}): DigestDesk {
  const workflowId = `${DIGEST_WORKFLOW_ID}:${taskQueue}`;
  const start = { workflowId, taskQueue, args: [input] as [DigestInput] };
  return {
    async ensureRunning() {
      try {
        await temporal.workflow.start(DIGEST_WORKFLOW_TYPE, start);
      } catch (error) {
        if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
      }
    },
    async exposureOpened(incidentId) {
      await temporal.workflow.signalWithStart(DIGEST_WORKFLOW_TYPE, { ...start, signal: exposureOpenedSignal, signalArgs: [{ incidentId }] });
    },
    async sendNow() {
      await temporal.workflow.signalWithStart(DIGEST_WORKFLOW_TYPE, { ...start, signal: digestNowSignal, signalArgs: [] });
    },
  };
}
