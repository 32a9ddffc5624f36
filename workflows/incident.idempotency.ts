/**
 * Requests answered under an idempotency key, remembered across continue-as-new: Temporal
 * de-duplicates an update id within one run only, so a retry that arrives after the incident
 * continued as new would run twice. The API marks keyed update ids with a prefix; a repeat of
 * one answered before is not judged again and changes nothing. Plain and deterministic.
 */

import { IDEMPOTENT_UPDATE_PREFIX } from './incident.messages.js';

/** How many keyed requests an incident remembers (the oldest are forgotten first). */
export const REMEMBERED_REQUESTS = 1_000;

/** What the first answer waited for: its step, and the approval it left pending, if any. */
export interface FirstAnswer {
  seq: number;
  pendingEvent?: string;
}

export class AnsweredRequests {
  private readonly answered: Map<string, FirstAnswer>;

  constructor(carried: Array<[string, FirstAnswer]> = []) {
    this.answered = new Map(carried);
  }

  /** The first answer of a keyed request seen before; undefined for a new one. */
  firstAnswer(updateId: string | undefined): FirstAnswer | undefined {
    return updateId ? this.answered.get(updateId) : undefined;
  }

  remember(updateId: string | undefined, answer: FirstAnswer): void {
    if (!updateId?.startsWith(IDEMPOTENT_UPDATE_PREFIX)) return;
    this.answered.set(updateId, answer);
    while (this.answered.size > REMEMBERED_REQUESTS) this.answered.delete(this.answered.keys().next().value!);
  }

  carry(): Array<[string, FirstAnswer]> | undefined {
    return this.answered.size > 0 ? [...this.answered] : undefined;
  }
}
