/** Activity options named by purpose. Retry policies own transient failures. */
import type { ActivityOptions } from '@temporalio/workflow';

export const ACTIVITY = {
  /**
   * Recording a step must never be given up: a database outage delays the projection, it does
   * not lose an accepted step. The activity is idempotent, so retries are safe.
   */
  persistence: {
    startToCloseTimeout: '10 seconds',
    retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
  },
} as const satisfies Record<string, ActivityOptions>;
