/**
 * What the risk exception workflow touches: the exception's row (the context connector finds it
 * while it covers), its events on the signed `risk` audit chain, and the incidents it covered.
 * Recording is idempotent: events carry the workflow's own seq, and the row keeps the last one
 * recorded, so a retried activity appends nothing twice.
 */
import { eq, or, sql } from 'drizzle-orm';
import { appendChainEventIn } from '../db/audit-chains.repo.js';
import type { SigningKey } from '../db/chain-signing.js';
import type { Database } from '../db/client.js';
import { contextRiskExceptions } from '../db/context.schema.js';
import { incidents } from '../db/schema.js';
import type { RiskEvent, RiskExceptionState } from '../machines/risk-exception.js';

export interface RecordRiskEventsInput {
  state: RiskExceptionState;
  events: Array<RiskEvent & { seq: number }>;
}

export function createRiskExceptionActivities({ db, signer }: { db: Database; signer?: SigningKey }) {
  async function recordRiskExceptionEvents({ state, events }: RecordRiskEventsInput): Promise<{ appended: number }> {
    return db.transaction(async (tx) => {
      const [row] = await tx.select({ recordedSeq: contextRiskExceptions.recordedSeq }).from(contextRiskExceptions).where(eq(contextRiskExceptions.id, state.id)).for('update');
      const fresh = events.filter((e) => e.seq > (row?.recordedSeq ?? 0));
      for (const event of fresh) await appendChainEventIn(tx, 'risk', { type: event.type, actor: event.actor, data: { exceptionId: state.id, seq: event.seq, at: event.at, ...event.data } }, signer);
      const values = {
        id: state.id,
        assetIds: state.assetIds ?? null,
        ruleIds: state.ruleIds ?? null,
        expiresAt: new Date(state.expiresAt),
        justification: state.justification,
        owner: state.owner,
        status: state.status,
        lifecycle: state as unknown as Record<string, unknown>,
        recordedSeq: Math.max(row?.recordedSeq ?? 0, ...events.map((e) => e.seq)),
        updatedAt: new Date(),
      };
      const { id: _id, ...set } = values;
      await tx.insert(contextRiskExceptions).values(values).onConflictDoUpdate({ target: contextRiskExceptions.id, set });
      return { appended: fresh.length };
    });
  }

  /** Incidents that found the exception in their context, and those closed naming it (field riskExceptionId). */
  async function incidentsUnderException({ exceptionId }: { exceptionId: string }): Promise<string[]> {
    const rows = await db
      .select({ id: incidents.id })
      .from(incidents)
      .where(or(sql`${incidents.context} -> 'riskExceptions' @> ${JSON.stringify([{ key: exceptionId }])}::jsonb`, sql`${incidents.fields} ->> 'riskExceptionId' = ${exceptionId}`));
    return rows.map((r) => r.id).sort();
  }

  return { recordRiskExceptionEvents, incidentsUnderException };
}

export type RiskExceptionActivities = ReturnType<typeof createRiskExceptionActivities>;
