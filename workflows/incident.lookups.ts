/**
 * Context lookups of a stage entry or a joining alert. They are tried first
 * as a local activity in the workflow task that asked for them, each kind bounded by
 * QUICK_LOOKUP_MS and tried once: the built-in connectors read this database and answer in
 * milliseconds, and the findings are then recorded in the same task, with no activity task and no
 * second workflow task. A kind that is slow or fails there goes on to the `gatherContexts` activity
 * with the attempts its policy has left, so a slow source never holds the workflow task (and the
 * transitions waiting on it) longer than the quick bound. Workflow code: deterministic.
 */
import { ActivityFailure, proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { ContextActivities, LookupOutcome, LookupPolicy } from '../activities/context.activities.js';
import type { Finding, LookupFacts } from '../machines/context.types.js';
import type { ContextKind } from '../machines/playbook.types.js';
import { ACTIVITY, ENRICHMENT_POLICY, QUICK_LOOKUP_MS } from './activity-options.js';

const { gatherContexts } = proxyActivities<ContextActivities>(ACTIVITY.enrichmentAll);
const { gatherContexts: gatherContextsLocally } = proxyLocalActivities<ContextActivities>(ACTIVITY.enrichmentLocal);

export interface Lookup {
  kind: ContextKind;
  facts: LookupFacts;
}

/** Where lookups' outcomes go (the incident). */
export interface LookupRecorder {
  contextGathered(kind: ContextKind, findings: Finding[], now: string): void;
  enrichmentFailed(kind: ContextKind, reason: string, now: string): void;
}

/** Runs work beside the lifecycle, counted as in flight until `done` or `failed` has run. */
export type Beside = <T>(work: Promise<T>, done: (value: T) => void, failed: (error: unknown) => void) => void;

type AskedLookup = Lookup & { policy: LookupPolicy };

const now = () => new Date().toISOString();

/** The reason a lookup failed, from the activity failure's cause (timeout, connector error). */
export function reasonOf(error: unknown): string {
  const cause = error instanceof ActivityFailure ? error.cause : error;
  return cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
}

function record(recorder: LookupRecorder, outcome: LookupOutcome): void {
  if ('findings' in outcome) recorder.contextGathered(outcome.kind, outcome.findings, now());
  else recorder.enrichmentFailed(outcome.kind, outcome.reason, now());
}

/** Every kind in one `gatherContexts` activity, each with its own policy. */
export function gatherInActivity(lookups: AskedLookup[], recorder: LookupRecorder, beside: Beside): void {
  beside(
    gatherContexts({ lookups }),
    (outcomes) => outcomes.forEach((outcome) => record(recorder, outcome)),
    (error) => lookups.forEach(({ kind }) => recorder.enrichmentFailed(kind, reasonOf(error), now())),
  );
}

/** The kinds a quick try left unanswered, with the attempts they have left (none: recorded as failed). */
function handOver(asked: AskedLookup[], outcomes: LookupOutcome[], recorder: LookupRecorder): AskedLookup[] {
  const left: AskedLookup[] = [];
  for (const lookup of asked) {
    const outcome = outcomes.find(({ kind }) => kind === lookup.kind);
    if (outcome && ('findings' in outcome || outcome.final || lookup.policy.attempts <= 1)) record(recorder, outcome);
    else left.push({ ...lookup, policy: { ...lookup.policy, attempts: lookup.policy.attempts - (outcome ? 1 : 0) } });
  }
  return left;
}

/**
 * A quick local try of every kind, then the activity for what it left. Awaited by the workflow's
 * main loop, never run beside it: local activities running at once would resolve in an order of
 * wall time, which replay does not reproduce (a command made on the quick try's outcome would
 * land elsewhere in the history).
 */
export async function gatherLocallyFirst(lookups: Lookup[], recorder: LookupRecorder, beside: Beside): Promise<void> {
  const asked = lookups.map(({ kind, facts }) => ({ kind, facts, policy: ENRICHMENT_POLICY[kind] }));
  const quick = asked.map((lookup) => ({ ...lookup, policy: { timeoutMs: Math.min(QUICK_LOOKUP_MS, lookup.policy.timeoutMs), attempts: 1 } }));
  let outcomes: LookupOutcome[];
  try {
    outcomes = await gatherContextsLocally({ lookups: quick });
  } catch {
    gatherInActivity(asked, recorder, beside);
    return;
  }
  const left = handOver(asked, outcomes, recorder);
  if (left.length > 0) gatherInActivity(left, recorder, beside);
}
