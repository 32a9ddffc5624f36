/**
 * Persistence of incident steps: the audit event with its hash link, the stage timings the
 * machine's effects move, the incident projection and its measures, in one transaction. Idempotent: a
 * retried step whose event is already recorded writes nothing.
 */
import { and, eq, isNull, lt } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import { GENESIS_HASH, eventHash } from '../db/ledger.js';
import { incidentEvents, incidents, openCorrelations, stageTimings } from '../db/schema.js';
import type { IncidentStep } from '../machines/incident.types.js';
import { recordMeasure } from './incident.measures.js';

function nextDeadline(clocks: IncidentStep['projection']['sla']): Date | null {
  const deadlines = clocks.map((c) => c.deadline).filter((d): d is string => d !== null).sort();
  return deadlines[0] ? new Date(deadlines[0]) : null;
}

export interface IncidentActivityDeps {
  db: Database;
}

/** Raised (and retried) when a step arrives before the one it chains to: never expected. */
export class ChainGapError extends Error {
  override name = 'ChainGapError';
}

export function createIncidentActivities({ db }: IncidentActivityDeps) {
  async function recordIncidentStep(step: IncidentStep): Promise<{ hash: string; recorded: boolean }> {
    return db.transaction(async (tx) => {
      const key = and(eq(incidentEvents.incidentId, step.incidentId), eq(incidentEvents.seq, step.seq));
      const [existing] = await tx.select({ hash: incidentEvents.hash }).from(incidentEvents).where(key);
      if (existing) return { hash: existing.hash, recorded: false };

      let prevHash = GENESIS_HASH;
      if (step.seq > 1) {
        const [previous] = await tx
          .select({ hash: incidentEvents.hash })
          .from(incidentEvents)
          .where(and(eq(incidentEvents.incidentId, step.incidentId), eq(incidentEvents.seq, step.seq - 1)));
        if (!previous) throw new ChainGapError(`incident ${step.incidentId}: seq ${step.seq - 1} is not recorded yet`);
        prevHash = previous.hash;
      }
      const { incidentId, seq, at, type, actor, from, to, data } = step;
      const hash = eventHash(prevHash, { incidentId, seq, at, type, actor, from, to, data });
      const when = new Date(at);
      await tx.insert(incidentEvents).values({ incidentId, seq, at: when, type, actor, from, to, data, prevHash, hash });

      for (const effect of step.effects) {
        if (effect.type === 'stageLeft') {
          await tx
            .update(stageTimings)
            .set({ leftSeq: seq, leftAt: when })
            .where(and(eq(stageTimings.incidentId, incidentId), eq(stageTimings.stage, effect.params.stage), isNull(stageTimings.leftAt)));
        } else {
          await tx.insert(stageTimings).values({ incidentId, stage: effect.params.stage, enteredSeq: seq, enteredAt: when }).onConflictDoNothing();
        }
      }

      const p = step.projection;
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
        slaBreached: p.sla.some((c) => c.breached),
        slaNextDeadline: nextDeadline(p.sla),
        open: p.open,
        createdAt: new Date(p.createdAt),
        updatedAt: new Date(p.updatedAt),
        closedAt: p.closedAt ? new Date(p.closedAt) : null,
        lastSeq: seq,
        lastHash: hash,
      };
      const { id: _id, createdAt: _createdAt, ...changes } = row;
      await tx.insert(incidents).values(row).onConflictDoUpdate({ target: incidents.id, set: changes, setWhere: lt(incidents.lastSeq, seq) });

      await recordMeasure(tx, step);

      if (p.correlationKey) {
        if (p.open) {
          await tx.insert(openCorrelations).values({ key: p.correlationKey, incidentId }).onConflictDoNothing();
        } else {
          await tx.delete(openCorrelations).where(and(eq(openCorrelations.key, p.correlationKey), eq(openCorrelations.incidentId, incidentId)));
        }
      }
      return { hash, recorded: true };
    });
  }

  return { recordIncidentStep };
}

export type IncidentActivities = ReturnType<typeof createIncidentActivities>;
