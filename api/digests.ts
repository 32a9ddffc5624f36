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

/** How long the API's start of the digests' workflow may take, its retries included. */
export const DIGESTS_START_WITHIN_MS = 10_000;

/**
 * Starts the digests' workflow once the API is ready: it runs from the first start on, and an API
 * that cannot reach Temporal yet still starts (readiness says so; the first exposure or digest
 * asked for starts it then). Closing waits for a start still under way: cancelled if in flight,
 * else ended by its deadline. Cut off by the connection's close instead, the Temporal client would
 * retry it on the closed channel - an uncaught error that ends the process.
 */
export function startDigestsOnReady(app: FastifyInstance, digests: DigestDesk, withinMs = DIGESTS_START_WITHIN_MS): void {
  const closing = new AbortController();
  let starting: Promise<void> = Promise.resolve();
  app.addHook('onReady', async () => {
    const deadline = new Date(Date.now() + withinMs);
    starting = digests.ensureRunning({ deadline, signal: closing.signal }).catch((error: unknown) => {
      if (!closing.signal.aborted) app.log.warn({ err: error }, 'the business-unit digests workflow could not be started');
    });
  });
  app.addHook('onClose', async () => {
    closing.abort();
    await starting;
  });
}
