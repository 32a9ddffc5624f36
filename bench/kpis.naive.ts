/**
 * The baseline of the KPI benchmark: KPIs per business unit computed the naive way, in
 * application code, from the rows the ledger holds: read the incidents and every audit event of
 * the window, rebuild each incident's measure, group, sort, interpolate percentiles in a loop.
 */
import { and, asc, gte, lt, sql } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import { toIncidentProjection } from '../db/incidents.reads.js';
import type { DurationFigure, KpiWindow } from '../db/kpis.reads.js';
import { incidentEvents, incidents } from '../db/schema.js';
import type { AuditEvent } from '../machines/incident.types.js';
import { measureFromLedger, type IncidentMeasure } from '../machines/measures.js';

export interface NaiveGroup {
  key: string | null;
  count: number;
  durations: Record<string, DurationFigure>;
  rates: Record<string, number | null>;
  effortMinutes: number;
}

/** percentile_cont: linear interpolation between the closest ranks. */
function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = p * (sorted.length - 1);
  const low = Math.floor(rank);
  const high = Math.ceil(rank);
  return sorted[low]! + (sorted[high]! - sorted[low]!) * (rank - low);
}

function figure(values: number[]): DurationFigure {
  const sorted = [...values].sort((a, b) => a - b);
  const mean = sorted.length ? sorted.reduce((a, b) => a + b, 0) / sorted.length : null;
  return { mean, median: percentile(sorted, 0.5), p90: percentile(sorted, 0.9), n: sorted.length };
}

const between = (from: string | null, to: string | null) => (from && to ? (Date.parse(to) - Date.parse(from)) / 1000 : null);
const ratio = (n: number, d: number) => (d === 0 ? null : n / d);
const present = (values: (number | null)[]) => values.filter((v): v is number => v !== null);

export async function naiveKpisByBusinessUnit(db: Database, window: KpiWindow): Promise<NaiveGroup[]> {
  const inWindow = and(gte(incidents.createdAt, window.from), lt(incidents.createdAt, window.to));
  const rows = await db.select().from(incidents).where(inWindow);
  const events = await db
    .select({ incidentId: incidentEvents.incidentId, seq: incidentEvents.seq, at: incidentEvents.at, type: incidentEvents.type, actor: incidentEvents.actor, from: incidentEvents.from, to: incidentEvents.to, data: incidentEvents.data })
    .from(incidentEvents)
    .where(sql`${incidentEvents.incidentId} in (select id from incidents where ${inWindow})`)
    .orderBy(asc(incidentEvents.incidentId), asc(incidentEvents.seq));
  const byIncident = new Map<string, AuditEvent[]>();
  for (const e of events) {
    const list = byIncident.get(e.incidentId) ?? [];
    list.push({ seq: e.seq, at: e.at.toISOString(), type: e.type, actor: e.actor, from: e.from, to: e.to, data: e.data });
    byIncident.set(e.incidentId, list);
  }
  const groups = new Map<string | null, IncidentMeasure[]>();
  for (const row of rows) {
    const measure = measureFromLedger(byIncident.get(row.id) ?? [], toIncidentProjection(row), new Set(['closed']));
    if (!measure) continue;
    const list = groups.get(measure.businessUnit) ?? [];
    list.push(measure);
    groups.set(measure.businessUnit, list);
  }
  return [...groups.entries()].map(([key, ms]) => {
    const settled = ms.filter((m) => m.clocksArmed > 0 && (m.breaches > 0 || m.clocksStopped >= m.clocksArmed));
    const stages = [...new Set(ms.flatMap((m) => Object.keys(m.stageSeconds)))];
    const sum = (f: (m: IncidentMeasure) => number) => ms.reduce((total, m) => total + f(m), 0);
    return {
      key,
      count: ms.length,
      durations: {
        mttd: figure(present(ms.map((m) => between(m.firstEventAt, m.detectedAt)))),
        mtta: figure(present(ms.map((m) => between(m.createdAt, m.acknowledgedAt)))),
        mttc: figure(present(ms.map((m) => between(m.createdAt, m.containedAt)))),
        mtte: figure(present(ms.map((m) => between(m.containedAt, m.eradicatedAt)))),
        mttrec: figure(present(ms.map((m) => between(m.eradicatedAt, m.recoveredAt)))),
        mttr: figure(present(ms.map((m) => between(m.createdAt, m.resolvedAt)))),
        ...Object.fromEntries(stages.map((s) => [`stage:${s}`, figure(present(ms.map((m) => m.stageSeconds[s] ?? null)))])),
        approval: figure(ms.flatMap((m) => m.approvalSeconds)),
      },
      rates: {
        slaCompliance: ratio(settled.filter((m) => m.breaches === 0).length, settled.length),
        slaBreaches: sum((m) => m.breaches),
        escalations: sum((m) => m.escalations),
        reopenRate: ratio(ms.filter((m) => m.reopens > 0).length, ms.filter((m) => m.closedAt !== null).length),
        falsePositiveRate: ratio(ms.filter((m) => !m.open && m.closedBy === 'close_false_positive').length, ms.filter((m) => !m.open).length),
        alertsPerIncident: ratio(sum((m) => m.alerts), ms.length),
        enrichmentAutomationRate: ratio(sum((m) => m.lookupsGathered), sum((m) => m.lookupsGathered + m.lookupsFailed)),
      },
      effortMinutes: sum((m) => m.effortMinutes),
    };
  });
}
