/** Activity options named by purpose. Retry policies own transient failures. */
import type { ActivityOptions, LocalActivityOptions } from '@temporalio/workflow';
import type { ContextKind } from '../machines/playbook.types.js';

/** Context lookups: a slow or failing source is given up on and recorded, never waited for long. */
export const ENRICHMENT_POLICY: Record<ContextKind, { timeoutMs: number; attempts: number }> = {
  asset: { timeoutMs: 10_000, attempts: 3 },
  'business-unit': { timeoutMs: 10_000, attempts: 3 },
  change: { timeoutMs: 10_000, attempts: 3 },
  'risk-exception': { timeoutMs: 10_000, attempts: 3 },
  intel: { timeoutMs: 15_000, attempts: 3 },
};

/** How long a lookup may take in its quick local try before it goes on to an activity. */
export const QUICK_LOOKUP_MS = 1_000;

const lookup = ({ timeoutMs, attempts }: { timeoutMs: number; attempts: number }): ActivityOptions => ({
  startToCloseTimeout: `${timeoutMs / 1000} seconds`,
  retry: { initialInterval: '500 milliseconds', backoffCoefficient: 2, maximumInterval: '5 seconds', maximumAttempts: attempts },
});

export const ACTIVITY = {
  /**
   * Recording a step must never be given up: a database outage delays the projection, it does
   * not lose an accepted step. The activity is idempotent, so retries are safe.
   */
  persistence: {
    startToCloseTimeout: '10 seconds',
    retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
  },
  /**
   * Recording steps as a local activity, in the workflow task that accepted them: no round trip
   * through the server, so a transition is answered and an alert recorded in one workflow task.
   * Never given up either; retries past a minute wait on a durable timer.
   */
  persistenceLocal: {
    startToCloseTimeout: '10 seconds',
    retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
  } satisfies LocalActivityOptions,
  /** A webhook that fails is retried four times over about seven seconds, then recorded as failed. */
  notify: {
    startToCloseTimeout: '10 seconds',
    retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '10 seconds', maximumAttempts: 4 },
  },
  /**
   * All the kinds of one lookup in one activity: each kind keeps its own timeout and attempts
   * (ENRICHMENT_POLICY), and the activity lasts as long as the slowest kind's attempts may.
   */
  enrichmentAll: {
    startToCloseTimeout: '70 seconds',
    retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '10 seconds', maximumAttempts: 2 },
  } satisfies ActivityOptions,
  /**
   * The quick local try of a lookup (workflows/incident.lookups.ts): each kind bounded by
   * QUICK_LOOKUP_MS inside the activity, tried once; this timeout only covers a worker that hangs.
   */
  enrichmentLocal: {
    startToCloseTimeout: '5 seconds',
    retry: { maximumAttempts: 1 },
  } satisfies LocalActivityOptions,
  /** Each context source has its own timeout and retry policy (runs recorded before one-activity lookups). */
  enrichment: Object.fromEntries(Object.entries(ENRICHMENT_POLICY).map(([kind, policy]) => [kind, lookup(policy)])) as Record<ContextKind, ActivityOptions>,
} as const;
