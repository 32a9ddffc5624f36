/**
 * The one durable timer an incident keeps for its next SLA deadline (patch `keep-clock-timer`).
 * Before it, the main loop waited with `condition(woke, msUntilDue)`: every wake-up - each alert
 * joining, each step recorded - cancelled that timer and started a new one for the same deadline,
 * two commands and two history events a wake-up for nothing. The alarm is set to an instant and
 * keeps its timer while the instant stands; only a new deadline (or none) cancels it.
 * Workflow code: deterministic.
 */
import { CancellationScope, sleep } from '@temporalio/workflow';

export class ClockAlarm {
  private at: number | null = null;
  private scope: CancellationScope | null = null;
  /** The timer for `at` has fired (until the alarm is set again). */
  rang = false;

  /**
   * Arms the timer for `dueAt` (epoch ms) unless it is armed for that instant already and has not
   * fired; `null` disarms it. `nowMs` is the workflow's now, for the timer's duration.
   */
  set(dueAt: number | null, nowMs: number): void {
    if (dueAt !== null && dueAt === this.at && !this.rang) return;
    if (dueAt === null && this.at === null) return;
    this.scope?.cancel();
    this.scope = null;
    this.at = dueAt;
    this.rang = false;
    if (dueAt === null) return;
    const scope = new CancellationScope();
    this.scope = scope;
    scope
      .run(() => sleep(Math.max(1, dueAt - nowMs)))
      .then(
        () => {
          if (this.scope === scope) this.rang = true;
        },
        // Cancelled: a new deadline replaced this one.
        () => undefined,
      );
  }
}
