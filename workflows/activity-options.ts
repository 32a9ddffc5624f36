/** Activity options named by purpose. Retry policies own transient failures. */
import type { ActivityOptions } from '@temporalio/workflow';
import type { ContextKind } from '../machines/playbook.types.js';

/** Context lookups: a slow or failing source is given up on and recorded, never waited for long. */
const lookup = (seconds: number, attempts: number): ActivityOptions => ({
  startToCloseTimeout: `${seconds} seconds`,
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
  /** A webhook that fails is retried four times over about seven seconds, then recorded as failed. */
  notify: {
    startToCloseTimeout: '10 seconds',
    retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '10 seconds', maximumAttempts: 4 },
  },
  /** Each context source has its own timeout and retry policy. */
  enrichment: {
    asset: lookup(10, 3),
    'business-unit': lookup(10, 3),
    change: lookup(10, 3),
    'risk-exception': lookup(10, 3),
    intel: lookup(15, 3),
  } satisfies Record<ContextKind, ActivityOptions>,
} as const;
