/**
 * The API's side of the business-unit digests (workflows/digest.workflow.ts): the workflow is
 * started when the API is ready (once per namespace and task queue; a running one is left alone),
 * told of each exposure a rule opened, and asked for a digest now.
 */
import type { FastifyInstance } from 'fastify';
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { DIGEST_WORKFLOW_ID, DIGEST_WORKFLOW_TYPE, digestNowSignal, exposureOpenedSignal, type DigestInput } from '../workflows/digest.workflow.js';

export interface DigestDesk {
  /**
   * Starts the digests' workflow unless it runs. With `until`, the start is given up at that time
   * (retries included), and `signal` cancels a start in flight (the API closing).
   */
  ensureRunning(until?: { deadline: Date; signal: AbortSignal }): Promise<void>;
  exposureOpened(incidentId: string): Promise<void>;
  sendNow(): Promise<void>;
}

export function createDigestDesk(temporal: Client, taskQueue: string, input: DigestInput = {}): DigestDesk {
  const workflowId = `${DIGEST_WORKFLOW_ID}:${taskQueue}`;
  const start = { workflowId, taskQueue, args: [input] as [DigestInput] };
  return {
    async ensureRunning(until) {
      try {
        const starting = () => temporal.workflow.start(DIGEST_WORKFLOW_TYPE, start);
        const { connection } = temporal;
        await (until ? connection.withDeadline(until.deadline, () => connection.withAbortSignal(until.signal, starting)) : starting());
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

/** How long one attempt of the API's start of the digests' workflow may take (the client's retries included), and the wait before the next. */
export const DIGESTS_START = { attemptMs: 3_000, againMs: 30_000 };

/**
 * Starts the digests' workflow once the API is ready, and again every `againMs` until it runs: it
 * runs from the first start on, and an API that cannot reach Temporal yet still starts (readiness
 * says so). Closing waits for an attempt under way: cancelled if in flight, else ended by its
 * deadline. Cut off by the connection's close instead, the Temporal client would retry it on the
 * closed channel - an uncaught error that ends the process.
 */
export function startDigestsOnReady(app: FastifyInstance, digests: DigestDesk, timing = DIGESTS_START): void {
  const closing = new AbortController();
  let attempt: Promise<void> = Promise.resolve();
  let again: NodeJS.Timeout | undefined;
  const tryStart = () => {
    const deadline = new Date(Date.now() + timing.attemptMs);
    attempt = digests.ensureRunning({ deadline, signal: closing.signal }).catch((error: unknown) => {
      if (closing.signal.aborted) return;
      app.log.warn({ err: error }, `the business-unit digests workflow could not be started; trying again in ${timing.againMs / 1000} s`);
      again = setTimeout(tryStart, timing.againMs).unref();
    });
  };
  app.addHook('onReady', async () => tryStart());
  app.addHook('onClose', async () => {
    closing.abort();
    clearTimeout(again);
    await attempt;
  });
}
