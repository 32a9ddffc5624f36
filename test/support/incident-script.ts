/**
 * Incidents with known times, recorded by the real persistence activity step by step (the way
 * the workflow records them), for KPI and report tests that assert figures to the second.
 */
import type { Database } from '../../db/client.js';
import { alerts } from '../../db/schema.js';
import { createIncidentActivities } from '../../activities/incident.activities.js';
import type { AssetRecord, ChangeRecord } from '../../machines/context.types.js';
import { emptyContext } from '../../machines/context.types.js';
import type { AuditEventType, IncidentProjection, IncidentStep } from '../../machines/incident.types.js';
import type { LifecycleEffect } from '../../machines/lifecycle.machine.js';
import type { Milestone, Priority, Severity } from '../../machines/playbook.types.js';
import type { JsonValue } from '../../machines/procedure.js';

export interface ScriptStart {
  at: string;
  playbook?: string;
  category?: string;
  severity?: Severity;
  priority?: Priority;
  /** `source:<name>` for an incident opened by an alert, else the person who reported it. */
  openedBy: string;
  stage?: string;
}

type Data = { [key: string]: JsonValue };

export class IncidentScript {
  readonly steps: IncidentStep[] = [];
  private projection: IncidentProjection;
  private seq = 0;

  constructor(
    readonly id: string,
    start: ScriptStart,
  ) {
    const stage = start.stage ?? 'new';
    this.projection = {
      id,
      title: `incident ${id}`,
      description: null,
      category: start.category ?? null,
      stage,
      severity: start.severity ?? 'medium',
      priority: start.priority ?? 'P3',
      playbook: { id: start.playbook ?? 'default', version: 1 },
      alertCount: 0,
      allowedEvents: [],
      fields: {},
      pendingApprovals: [],
      tasks: [],
      links: [],
      priorityReason: { priority: start.priority ?? 'P3', impact: 2, urgency: 2, cell: 'impact 2 × urgency 2 → P3 (Moderate)', inputs: {} as never },
      context: emptyContext(),
      flags: { possibleChangeRelated: false, riskExceptionActive: false },
      sla: [],
      assignee: null,
      effortMinutes: 0,
      createdAt: start.at,
      updatedAt: start.at,
      correlationKey: null,
      open: true,
      closedAt: null,
      milestones: {},
      clocks: [],
    };
    this.step('incident_opened', start.at, { actor: start.openedBy, to: stage, effects: [{ type: 'stageEntered', params: { stage, marks: [], closed: false } }] });
  }

  /** Records an audit step; `patch` changes the projection first. */
  step(
    type: AuditEventType,
    at: string,
    options: { actor?: string; from?: string; to?: string; data?: Data; effects?: LifecycleEffect[]; patch?: Partial<IncidentProjection> } = {},
  ): this {
    this.seq += 1;
    this.projection = { ...this.projection, ...options.patch, updatedAt: at };
    this.steps.push({
      incidentId: this.id,
      seq: this.seq,
      at,
      type,
      actor: options.actor ?? 'system',
      from: options.from ?? null,
      to: options.to ?? null,
      data: options.data ?? {},
      effects: options.effects ?? [],
      projection: structuredClone(this.projection),
    });
    return this;
  }

  /** A lifecycle event moving the incident to `to`, marking milestones first reached there. */
  move(at: string, event: string, to: string, options: { marks?: Milestone[]; closed?: boolean; fields?: Data; approvedBy?: string[]; actor?: string } = {}): this {
    const from = this.projection.stage;
    const milestones = { ...this.projection.milestones };
    for (const mark of options.marks ?? []) milestones[mark] ??= at;
    const open = !options.closed;
    const data: Data = { event, ...(options.fields ? { fields: options.fields } : {}), ...(options.approvedBy ? { approvedBy: options.approvedBy } : {}) };
    return this.step('transitioned', at, {
      actor: options.actor ?? 'ana',
      from,
      to,
      data,
      effects: [
        { type: 'stageLeft', params: { stage: from } },
        { type: 'stageEntered', params: { stage: to, marks: options.marks ?? [], closed: !open } },
      ],
      patch: { stage: to, milestones, open, closedAt: open ? null : at, fields: { ...this.projection.fields, ...options.fields } },
    });
  }

  /** An asset finding (its business unit and process become the incident's). */
  asset(at: string, asset: Pick<AssetRecord, 'id' | 'businessUnit'> & Partial<AssetRecord>): this {
    const record: AssetRecord = { hostname: asset.id.toLowerCase(), ips: [], owner: 'owner', criticality: 'medium', ...asset };
    const context = { ...this.projection.context, assets: [...this.projection.context.assets, { kind: 'asset' as const, key: asset.id, record, provenance: { source: 'builtin', fetchedAt: at, ttl: 0 } }] };
    return this.step('context_gathered', at, { actor: 'builtin', data: { kind: 'asset', section: 'assets', found: 1, added: [asset.id] }, patch: { context } });
  }

  /** A change record found for the incident: it becomes possibly change-related. */
  change(at: string, record: ChangeRecord): this {
    const finding = { kind: 'change' as const, key: record.id, record, provenance: { source: 'builtin', fetchedAt: at, ttl: 0 } };
    return this.step('context_gathered', at, {
      actor: 'builtin',
      data: { kind: 'change', section: 'changes', found: 1, added: [record.id] },
      patch: { context: { ...this.projection.context, changes: [...this.projection.context.changes, finding] }, flags: { ...this.projection.flags, possibleChangeRelated: true } },
    });
  }

  alert(at: string, alertId: string, source: string): this {
    return this.step('alert_received', at, { actor: `source:${source}`, data: { alertId, source, sourceId: alertId, title: 't', severity: 'medium' }, patch: { alertCount: this.projection.alertCount + 1 } });
  }

  work(at: string, minutes: number): this {
    const total = this.projection.effortMinutes + minutes;
    return this.step('work_logged', at, { actor: 'ana', data: { minutes, totalMinutes: total }, patch: { effortMinutes: total } });
  }

  get current(): IncidentProjection {
    return this.projection;
  }
}

/** Stores an alert as intake would (for the first-alert facts: detection times, techniques). */
export async function storeScriptAlert(
  db: Database,
  alert: { id: string; incidentId: string; source: string; ruleId?: string; category?: string; detectedAt?: string; firstEventAt?: string; receivedAt: string; techniques?: string[] },
): Promise<void> {
  await db.insert(alerts).values({
    id: alert.id,
    source: alert.source,
    sourceId: alert.id,
    incidentId: alert.incidentId,
    title: `alert ${alert.id}`,
    severity: 'medium',
    ruleId: alert.ruleId ?? null,
    category: alert.category ?? null,
    correlationKey: `${alert.source}|id:${alert.id}`,
    detectedAt: alert.detectedAt ? new Date(alert.detectedAt) : null,
    firstEventAt: alert.firstEventAt ? new Date(alert.firstEventAt) : null,
    techniques: alert.techniques ?? [],
    receivedAt: new Date(alert.receivedAt),
    deliveredAt: new Date(alert.receivedAt),
  });
}

/** Records steps through the persistence activity, in order. */
export async function recordSteps(db: Database, steps: IncidentStep[]): Promise<void> {
  const { recordIncidentStep } = createIncidentActivities({ db });
  for (const step of steps) await recordIncidentStep(step);
}

/** Records every step of the scripts, script after script. */
export async function recordScripts(db: Database, scripts: IncidentScript[]): Promise<void> {
  await recordSteps(db, scripts.flatMap((script) => script.steps));
}
