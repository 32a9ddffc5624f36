/**
 * Recording accepted steps: every step waiting goes to the persistence activity in one call, in
 * seq order, as a local activity in the workflow task that accepted them. A step no retry can store (the activity says so with a non-retryable failure) is
 * reported, replaced by a `recording_failed` event at its seq where even that can be stored, and
 * the incident carries on: one poisoned step never blocks an incident or its later alerts.
 * Workflow code: deterministic.
 */
import { ActivityFailure, ApplicationFailure, proxyActivities, proxyLocalActivities, workflowInfo } from '@temporalio/workflow';
import { since } from './incident.patched.js';
import type { IncidentActivities } from '../activities/incident.activities.js';
import type { IncidentStep } from '../machines/incident.types.js';
import { storableJson, storableText } from '../machines/storable.js';
import { ACTIVITY } from './activity-options.js';

/** Runs recorded before steps were recorded locally in batches: one activity per step. */
const { recordIncidentStep } = proxyActivities<IncidentActivities>(ACTIVITY.persistence);
const { recordIncidentSteps, reportRecordingFailure } = proxyLocalActivities<IncidentActivities>(ACTIVITY.persistenceLocal);

/** Mirrors UNRECORDABLE of the activities (types only may be imported from there). */
const UNRECORDABLE_TYPES = ['StepNotStorable', 'LedgerConflict'];

/**
 * Why the step cannot be recorded, when no retry could change that; else undefined. An activity's
 * failure comes wrapped in an ActivityFailure, a local activity's as the ApplicationFailure itself.
 */
function unrecordable(error: unknown): string | undefined {
  const failure = error instanceof ActivityFailure ? error.cause : error;
  if (!(failure instanceof ApplicationFailure)) return undefined;
  const { type, message } = failure;
  return type && UNRECORDABLE_TYPES.includes(type) ? `${type}: ${message}` : undefined;
}

/** What stands in the ledger for a step that could not be stored: its place in the lifecycle, not its content. */
export function failedStepRecord(step: IncidentStep, reason: string): IncidentStep {
  return {
    ...step,
    type: 'recording_failed',
    actor: 'system',
    data: { failedType: step.type, failedActor: storableText(step.actor), reason: storableText(reason).slice(0, 500) },
    projection: storableJson(step.projection, { maxDepth: Number.MAX_SAFE_INTEGER }).value,
  };
}

/**
 * A failure that is neither retried nor known as unrecordable must not end the incident's
 * workflow (a Temporal failure thrown from it would): as a plain error it fails the workflow task,
 * which Temporal retries, and a fixed worker takes it up.
 */
function keepOpen(error: unknown): never {
  throw new Error(`recording a step failed unexpectedly: ${error instanceof Error ? error.message : String(error)}`);
}

export interface StepSource {
  pendingSteps(): IncidentStep[];
  nextPending(): IncidentStep | undefined;
  markRecorded(seq: number): void;
}

/**
 * The workflow task recording: its history length, longer for every later task. Steps recorded by
 * a task that is lost (its worker died) are superseded by a later task's (activities/incident.supersede.ts).
 * Only a local activity's input: not part of what replay compares.
 */
const task = () => workflowInfo().historyLength;

async function recordAlone(step: IncidentStep): Promise<void> {
  try {
    await recordIncidentSteps({ steps: [step], task: task() });
    return;
  } catch (error) {
    const reason = unrecordable(error);
    if (!reason) keepOpen(error);
    await reportRecordingFailure({ incidentId: step.incidentId, seq: step.seq, stepType: step.type, reason });
    try {
      await recordIncidentSteps({ steps: [failedStepRecord(step, reason)], task: task() });
    } catch (replacementError) {
      // Reported above; the ledger keeps a gap at this seq that verify points out.
      if (!unrecordable(replacementError)) keepOpen(replacementError);
    }
  }
}

/** Records everything waiting, until nothing is. */
export async function recordPending(source: StepSource): Promise<void> {
  if (!source.nextPending()) return;
  if (!since('record-steps-locally-in-batches')) {
    for (let step = source.nextPending(); step; step = source.nextPending()) {
      await recordIncidentStep(step);
      source.markRecorded(step.seq);
    }
    return;
  }
  for (let steps = source.pendingSteps(); steps.length > 0; steps = source.pendingSteps()) {
    try {
      await recordIncidentSteps({ steps, task: task() });
    } catch (error) {
      if (!unrecordable(error)) keepOpen(error);
      // One of them is poisoned: record them one by one to keep the others.
      for (const step of steps) await recordAlone(step);
    }
    source.markRecorded(steps.at(-1)!.seq);
  }
}
