/**
 * Persistence of incident steps (incident.steps.ts does the writing, in one transaction per
 * call). Failures are sorted by what a retry can do: a database outage, a deadlock or a race is
 * retried by the activity's policy (and an incident whose steps keep failing is listed as stuck);
 * a step that no retry can store (a data or constraint error, another event at its seq) fails
 * as non-retryable, so the workflow records the failure and carries on.
 */
import { ApplicationFailure, Context } from '@temporalio/activity';
import { eq, sql } from 'drizzle-orm';
import type { SigningKey } from '../db/chain-signing.js';
import type { Database } from '../db/client.js';
import { sqlState } from '../db/errors.js';
import { recordingFailures, recordingRetries } from '../db/schema.js';
import type { IncidentStep } from '../machines/incident.types.js';
import { storableText } from '../machines/storable.js';
import { LedgerConflictError, writeSteps } from './incident.steps.js';

export { ChainGapError, LedgerConflictError } from './incident.steps.js';

/** ApplicationFailure types of steps no retry can store; the workflow matches on these. */
export const UNRECORDABLE = { notStorable: 'StepNotStorable', ledgerConflict: 'LedgerConflict' } as const;

/** Attempts after which a step that keeps failing marks its incident stuck. */
const STUCK_AFTER_ATTEMPTS = 3;
const MAX_REASON_LENGTH = 500;

/** This attempt's number; 1 outside an activity (tests and tools call the writer directly). */
function attemptNumber(): number {
  try {
    return Context.current().info.attempt;
  } catch {
    return 1;
  }
}

/** The database's own words where there are some (drizzle's wrapper repeats the query and its parameters). */
function reasonOf(error: unknown): string {
  let cause = error;
  while (cause instanceof Error && !(cause as { code?: unknown }).code && cause.cause) cause = cause.cause;
  const described = cause instanceof Error && (cause as { code?: unknown }).code ? cause : error;
  const text = described instanceof Error ? `${described.name}: ${described.message}` : String(described);
  return storableText(text).slice(0, MAX_REASON_LENGTH);
}

/** Data exceptions (22), constraint violations but a racing duplicate (23), program limits (54). */
function unrecordableType(error: unknown): string | undefined {
  if (error instanceof LedgerConflictError) return UNRECORDABLE.ledgerConflict;
  if (error instanceof RangeError) return UNRECORDABLE.notStorable;
  const state = sqlState(error);
  if (!state || state === '23505') return undefined;
  return ['22', '23', '54'].includes(state.slice(0, 2)) ? UNRECORDABLE.notStorable : undefined;
}

export interface IncidentActivityDeps {
  db: Database;
  /** Signs each chain head as it moves (db/chain-signing.ts); without it heads are unsigned. */
  signer?: SigningKey;
}

export interface RecordStepsInput {
  steps: IncidentStep[];
  /** The workflow task recording them (its history length): a later task supersedes what a lost one recorded. */
  task?: number;
}

export interface RecordingFailureInput {
  incidentId: string;
  seq: number;
  stepType: string;
  reason: string;
}

export function createIncidentActivities({ db, signer }: IncidentActivityDeps) {
  /** Notes a failed attempt that will be retried, so health can list the incident as stuck. */
  async function noteRetry(step: IncidentStep, error: unknown): Promise<void> {
    const attempt = attemptNumber();
    if (attempt < STUCK_AFTER_ATTEMPTS) return;
    const now = new Date();
    const row = { incidentId: step.incidentId, seq: step.seq, attempts: attempt, firstFailedAt: now, lastFailedAt: now, lastError: reasonOf(error) };
    await db
      .insert(recordingRetries)
      .values(row)
      .onConflictDoUpdate({ target: recordingRetries.incidentId, set: { seq: row.seq, attempts: row.attempts, lastFailedAt: now, lastError: row.lastError } })
      .catch(() => undefined); // the database may be what fails
  }

  async function record(steps: IncidentStep[], task?: number): Promise<{ hashes: string[]; written: number }> {
    const first = steps[0];
    if (!first) return { hashes: [], written: 0 };
    try {
      return await db.transaction(async (tx) => {
        const result = await writeSteps(tx, steps, task, signer);
        if (attemptNumber() > 1) await tx.delete(recordingRetries).where(eq(recordingRetries.incidentId, first.incidentId));
        return result;
      });
    } catch (error) {
      const type = unrecordableType(error);
      if (type) throw ApplicationFailure.create({ type, message: reasonOf(error), nonRetryable: true });
      await noteRetry(first, error);
      throw error;
    }
  }

  /** Records one step (workflows started before steps were recorded in batches call this). */
  async function recordIncidentStep(step: IncidentStep): Promise<{ hash: string; recorded: boolean }> {
    const { hashes, written } = await record([step]);
    return { hash: hashes[0]!, recorded: written > 0 };
  }

  /** Records the steps an incident accepted since its last call, in one transaction. */
  async function recordIncidentSteps({ steps, task }: RecordStepsInput): Promise<{ hashes: string[]; written: number; fromSeq?: number }> {
    // The answer lands in the workflow's history: with where it starts, the history alone says
    // which seq has which hash (db/ledger-history.ts cross-checks the ledger against it).
    return { ...(await record(steps, task)), ...(steps[0] ? { fromSeq: steps[0].seq } : {}) };
  }

  /** Keeps a step the workflow gave up recording as given; health lists it. Idempotent. */
  async function reportRecordingFailure(input: RecordingFailureInput): Promise<void> {
    const reason = storableText(input.reason).slice(0, MAX_REASON_LENGTH);
    await db
      .insert(recordingFailures)
      .values({ incidentId: input.incidentId, seq: input.seq, stepType: storableText(input.stepType), reason, at: sql`now()` })
      .onConflictDoNothing();
  }

  return { recordIncidentStep, recordIncidentSteps, reportRecordingFailure };
}

export type IncidentActivities = ReturnType<typeof createIncidentActivities>;
