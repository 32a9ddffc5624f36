/**
 * Writing accepted steps of one incident, in seq order, in the caller's transaction: each audit
 * event with its hash link, the stage timings its effects move, the measures, and once the
 * projection after the last step. Idempotent: a step whose seq is recorded with the same content
 * is skipped; one recorded with other content is a LedgerConflictError, never silently dropped.
 * A batch is two statements between BEGIN and COMMIT: one read (what is recorded, the measures
 * row, the facts of the first alert it receives), one write (every table, each row written by one
 * part of it).
 */
import { and, desc, eq, inArray, lt, sql, type SQL } from 'drizzle-orm';
import { GENESIS_HASH, eventHash } from '../db/ledger.js';
import { insertSql, oneStatement, setProperties } from '../db/upsert.js';
import { incidentEvents, incidentMeasures, incidents, openCorrelations, recordingFailures } from '../db/schema.js';
import { selectRows } from '../db/sql-rows.js';
import type { IncidentStep } from '../machines/incident.types.js';
import { firstAlertFacts, firstAlertOf, measureWritesFor, measuresReadOf, rebuildMeasures, type Transaction } from './incident.measures.js';
import { stageTimingWrites } from './incident.stage-timings.js';
import { supersede, supersedes } from './incident.supersede.js';
import { signHead, type SigningKey } from '../db/chain-signing.js';

/** A step arrived before the one it chains to (and that one was not given up as unrecordable). */
export class ChainGapError extends Error {
  override name = 'ChainGapError';
}

/** The ledger holds another event at this seq: no retry can make the two agree. */
export class LedgerConflictError extends Error {
  override name = 'LedgerConflictError';
}

function nextDeadline(clocks: IncidentStep['projection']['sla']): Date | null {
  const deadlines = clocks.map((c) => c.deadline).filter((d): d is string => d !== null).sort();
  return deadlines[0] ? new Date(deadlines[0]) : null;
}

/** A recorded event as the batch's read gives it. */
interface RecordedEvent {
  seq: number;
  prevHash: string;
  hash: string;
  task: number | null;
}

const chained = (step: IncidentStep, prevHash: string) => {
  const { incidentId, seq, at, type, actor, from, to, data } = step;
  return eventHash(prevHash, { incidentId, seq, at, type, actor, from, to, data });
};

/**
 * The hash the first step chains to: the event just before it (read with the batch when there),
 * or, when that seq was given up as unrecordable (recording_failures), the last event before the gap.
 */
async function chainHead(tx: Transaction, step: IncidentStep, before?: { seq: number; hash: string }): Promise<string> {
  if (step.seq === 1) return GENESIS_HASH;
  if (before?.seq === step.seq - 1) return before.hash;
  const [previous] = await tx
    .select({ seq: incidentEvents.seq, hash: incidentEvents.hash })
    .from(incidentEvents)
    .where(and(eq(incidentEvents.incidentId, step.incidentId), lt(incidentEvents.seq, step.seq)))
    .orderBy(desc(incidentEvents.seq))
    .limit(1);
  const recordedUpTo = previous?.seq ?? 0;
  if (recordedUpTo < step.seq - 1) {
    const missing = Array.from({ length: step.seq - 1 - recordedUpTo }, (_, i) => recordedUpTo + 1 + i);
    const givenUp = await tx
      .select({ seq: recordingFailures.seq })
      .from(recordingFailures)
      .where(and(eq(recordingFailures.incidentId, step.incidentId), inArray(recordingFailures.seq, missing)));
    if (givenUp.length < missing.length) throw new ChainGapError(`incident ${step.incidentId}: seq ${step.seq - 1} is not recorded yet`);
  }
  return previous?.hash ?? GENESIS_HASH;
}

/** The writes of the projection after `step`; the correlation claim only when the batch moved a stage (open/closed). */
function projectionWrites(step: IncidentStep, hash: string, stageMoved: boolean, superseding: boolean, signer?: SigningKey): SQL[] {
  const p = step.projection;
  const head = signer ? signHead(signer, { incidentId: p.id, lastSeq: step.seq, lastHash: hash }) : undefined;
  const row = {
    id: p.id,
    title: p.title,
    description: p.description,
    category: p.category,
    stage: p.stage,
    severity: p.severity,
    priority: p.priority,
    playbookId: p.playbook.id,
    playbookVersion: p.playbook.version,
    correlationKey: p.correlationKey,
    alertCount: p.alertCount,
    fields: p.fields,
    allowedEvents: p.allowedEvents,
    milestones: p.milestones as Record<string, string>,
    pendingApprovals: p.pendingApprovals,
    context: p.context,
    priorityReason: p.priorityReason,
    possibleChangeRelated: p.flags.possibleChangeRelated,
    riskExceptionActive: p.flags.riskExceptionActive,
    assignee: p.assignee,
    effortMinutes: p.effortMinutes,
    clocks: p.clocks,
    // Without `overdue`: readers judge it at their own now.
    tasks: (p.tasks ?? []).map(({ overdue: _overdue, ...task }) => task),
    links: p.links ?? [],
    slaBreached: p.sla.some((c) => c.breached),
    slaNextDeadline: nextDeadline(p.sla),
    open: p.open,
    createdAt: new Date(p.createdAt),
    updatedAt: new Date(p.updatedAt),
    closedAt: p.closedAt ? new Date(p.closedAt) : null,
    lastSeq: step.seq,
    lastHash: hash,
    headKeyId: head?.keyId ?? null,
    headSignature: head?.signature ?? null,
  };
  const projection = insertSql(incidents, [row], {
    target: ['id'],
    update: setProperties(row, ['id', 'createdAt']),
    // A newer projection only; superseding steps replace one a lost task wrote at the same or a later seq.
    ...(superseding ? {} : { onlyIfGreater: 'lastSeq' }),
  });
  if (!p.correlationKey || !stageMoved) return [projection];
  const claim = p.open
    ? sql`${insertSql(openCorrelations, [{ key: p.correlationKey, incidentId: p.id }])} on conflict do nothing`
    : sql`delete from ${openCorrelations} where ${and(eq(openCorrelations.key, p.correlationKey), eq(openCorrelations.incidentId, p.id))}`;
  return [projection, claim];
}

/**
 * Records steps of one incident (consecutive seqs, ascending). Returns each step's hash and how
 * many were newly written.
 */
export async function writeSteps(tx: Transaction, steps: IncidentStep[], task?: number, signer?: SigningKey): Promise<{ hashes: string[]; written: number }> {
  const first = steps[0];
  if (!first) return { hashes: [], written: 0 };
  // Everything the batch reads, in one statement: its seqs and the one before it (what is
  // recorded already, and the link), and the measures row the fold needs, locked.
  const firstAlert = firstAlertOf(steps);
  const [read] = await selectRows<{ events: RecordedEvent[] | null; measures: Record<string, unknown> | null; alert: Record<string, unknown> | null }>(
    tx,
    sql`select (select jsonb_agg(jsonb_build_object('seq', seq, 'prevHash', prev_hash, 'hash', hash, 'task', recorded_by_task))
                  from ${incidentEvents} where incident_id = ${first.incidentId} and seq between ${first.seq - 1} and ${steps.at(-1)!.seq}) as events,
               (select to_jsonb(m) from ${incidentMeasures} m where m.incident_id = ${first.incidentId} for update) as measures,
               ${firstAlertFacts(firstAlert)} as alert`,
  );
  const rows = read?.events ?? [];
  const measuresRead = measuresReadOf(read?.measures ?? null, firstAlert, read?.alert);
  const existing = new Map(rows.map((row) => [row.seq, row]));
  const before = existing.get(first.seq - 1);
  existing.delete(first.seq - 1);
  const hashes: string[] = [];
  const fresh: Array<{ step: IncidentStep; prevHash: string; hash: string }> = [];
  let prevHash: string | undefined;
  let superseded = false;
  for (const step of steps) {
    const stored = existing.get(step.seq);
    if (stored && chained(step, stored.prevHash) !== stored.hash) {
      if (!supersedes(task, stored.task)) {
        throw new LedgerConflictError(`incident ${step.incidentId}: seq ${step.seq} is recorded with other content (${step.type} would not match its hash)`);
      }
      // Recorded by a workflow task that was lost: this later task's steps take its place.
      await supersede(tx, step.incidentId, step.seq);
      for (const seq of [...existing.keys()]) if (seq >= step.seq) existing.delete(seq);
      superseded = true;
    }
    const kept = existing.get(step.seq);
    if (kept) {
      prevHash = kept.hash;
      hashes.push(kept.hash);
      continue;
    }
    prevHash ??= await chainHead(tx, step, before);
    const hash = chained(step, prevHash);
    fresh.push({ step, prevHash, hash });
    hashes.push(hash);
    prevHash = hash;
  }
  if (fresh.length === 0) return { hashes, written: 0 };
  const last = fresh.at(-1)!;
  const freshSteps = fresh.map((f) => f.step);
  const measures = await measureWritesFor(tx, freshSteps, superseded ? { ...measuresRead, rebuild: true } : measuresRead);
  // Every write of the batch touches rows no other part touches: one statement, one round trip.
  const events = insertSql(
    incidentEvents,
    fresh.map(({ step, prevHash: prev, hash }) => {
      const { incidentId, seq, at, type, actor, from, to, data } = step;
      return { incidentId, seq, at: new Date(at), type, actor, from, to, data, prevHash: prev, hash, recordedByTask: task ?? null };
    }),
  );
  const stageMoved = freshSteps.some((step) => step.effects.length > 0);
  await tx.execute(oneStatement([events, ...stageTimingWrites(freshSteps), ...projectionWrites(last.step, last.hash, stageMoved, superseded, signer), ...(measures ?? [])]));
  // A rebuilt measure reads the events just written.
  if (!measures) await rebuildMeasures(tx, last.step);
  return { hashes, written: fresh.length };
}
