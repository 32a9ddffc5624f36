/**
 * The database schema: read models the workflow projects into, and the append-only audit log.
 * The workflow is the single writer of an incident's state; these tables are its projection.
 */
import { sql } from 'drizzle-orm';
import type { PendingApproval } from '../machines/approval.js';
import { emptyContext, type IncidentContext, type Observable } from '../machines/context.types.js';
import type { PriorityReason } from '../machines/priority.js';
import type { CaseLink, CaseTask } from '../machines/casework.js';
import type { SlaClock } from '../machines/sla.js';
import { bigserial, boolean, index, integer, json, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';

const at = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

export const incidents = pgTable(
  'incidents',
  {
    id: text('id').primaryKey(),
    title: text('title').notNull(),
    description: text('description'),
    category: text('category'),
    stage: text('stage').notNull(),
    severity: text('severity').notNull(),
    priority: text('priority').notNull(),
    playbookId: text('playbook_id').notNull(),
    playbookVersion: integer('playbook_version').notNull(),
    correlationKey: text('correlation_key'),
    alertCount: integer('alert_count').notNull().default(0),
    fields: jsonb('fields').notNull().default({}),
    allowedEvents: jsonb('allowed_events').$type<string[]>().notNull().default([]),
    milestones: jsonb('milestones').$type<Record<string, string>>().notNull().default({}),
    pendingApprovals: jsonb('pending_approvals').$type<PendingApproval[]>().notNull().default([]),
    context: jsonb('context').$type<IncidentContext>().notNull().default(emptyContext()),
    priorityReason: jsonb('priority_reason').$type<PriorityReason>(),
    possibleChangeRelated: boolean('possible_change_related').notNull().default(false),
    riskExceptionActive: boolean('risk_exception_active').notNull().default(false),
    assignee: text('assignee'),
    effortMinutes: integer('effort_minutes').notNull().default(0),
    /** SLA clocks as the workflow keeps them; readers compute elapsed time at their own now. */
    clocks: jsonb('clocks').$type<SlaClock[]>().notNull().default([]),
    /** The incident's tasks as the workflow keeps them (`GET /v1/tasks` reads across incidents). */
    tasks: jsonb('tasks').$type<CaseTask[]>().notNull().default([]),
    /** Incidents this one is linked to, merges included. */
    links: jsonb('links').$type<CaseLink[]>().notNull().default([]),
    slaBreached: boolean('sla_breached').notNull().default(false),
    /** The earliest deadline of a running clock, for `slaDueWithin`. */
    slaNextDeadline: at('sla_next_deadline'),
    open: boolean('open').notNull().default(true),
    createdAt: at('created_at').notNull(),
    updatedAt: at('updated_at').notNull(),
    closedAt: at('closed_at'),
    /** The last recorded audit event; verify uses it to detect a truncated tail. */
    lastSeq: integer('last_seq').notNull(),
    lastHash: text('last_hash').notNull(),
    /** The Ed25519 signature of the head (last seq and hash) by irflow's key, and that key's id (db/chain-signing.ts). */
    headKeyId: text('head_key_id'),
    headSignature: text('head_signature'),
  },
  (t) => [
    index('incidents_stage_idx').on(t.stage),
    index('incidents_created_at_idx').on(t.createdAt, t.id),
    index('incidents_priority_idx').on(t.priority, t.createdAt, t.id),
    index('incidents_sla_next_deadline_idx').on(t.slaNextDeadline),
  ],
);

export const alerts = pgTable(
  'alerts',
  {
    id: text('id').primaryKey(),
    source: text('source').notNull(),
    sourceId: text('source_id').notNull(),
    incidentId: text('incident_id').notNull(),
    title: text('title').notNull(),
    severity: text('severity').notNull(),
    ruleId: text('rule_id'),
    ruleName: text('rule_name'),
    category: text('category'),
    assets: jsonb('assets').notNull().default([]),
    observables: jsonb('observables').$type<Observable[]>().notNull().default([]),
    raw: jsonb('raw'),
    correlationKey: text('correlation_key').notNull(),
    detectedAt: at('detected_at'),
    /** The earliest event time the source gave: when the detected activity began. */
    firstEventAt: at('first_event_at'),
    /** MITRE ATT&CK technique ids the source named (e.g. T1059.001). */
    techniques: jsonb('techniques').$type<string[]>().notNull().default([]),
    /** The techniques with their names where the source gave them. */
    mitre: jsonb('mitre').$type<Array<{ id: string; name?: string }>>(),
    receivedAt: at('received_at').notNull(),
    /** Set once the incident workflow holds the alert (the 202 was answered). */
    deliveredAt: at('delivered_at'),
    /** Places whose text was made storable on intake (NUL, lone surrogates → U+FFFD). */
    normalised: jsonb('normalised').$type<string[]>(),
  },
  (t) => [
    uniqueIndex('alerts_source_source_id_key').on(t.source, t.sourceId),
    index('alerts_incident_id_idx').on(t.incidentId),
    index('alerts_delivered_at_idx').on(t.deliveredAt),
  ],
);

/** Correlation keys of open incidents: a new alert with a claimed key joins that incident. */
export const openCorrelations = pgTable('open_correlations', {
  key: text('key').primaryKey(),
  incidentId: text('incident_id').notNull(),
  claimedAt: at('claimed_at').notNull().default(sql`now()`),
});

/** The columns of an audit event, in the ledger and wherever a ledger row is kept as it was. */
export const ledgerEventColumns = () => ({
  incidentId: text('incident_id').notNull(),
  seq: integer('seq').notNull(),
  at: at('at').notNull(),
  type: text('type').notNull(),
  actor: text('actor').notNull(),
  from: text('from_stage'),
  to: text('to_stage'),
  data: jsonb('data').notNull(),
  prevHash: text('prev_hash').notNull(),
  hash: text('hash').notNull(),
  /**
   * The workflow task that recorded the row (its history length); a later task may supersede
   * rows of a task that was lost (activities/incident.supersede.ts). Not part of the hash.
   */
  recordedByTask: integer('recorded_by_task'),
});

export const incidentEvents = pgTable('incident_events', ledgerEventColumns(), (t) => [primaryKey({ name: 'incident_events_pkey', columns: [t.incidentId, t.seq] })]);

/**
 * Steps an incident's workflow gave up recording as given, because no retry could store them (a
 * constraint or encoding error, another event at the seq): the workflow wrote a
 * `recording_failed` event in their place where it could, and carried on. Health reads these.
 */
export const recordingFailures = pgTable(
  'recording_failures',
  {
    incidentId: text('incident_id').notNull(),
    seq: integer('seq').notNull(),
    stepType: text('step_type').notNull(),
    reason: text('reason').notNull(),
    at: at('at').notNull().default(sql`now()`),
  },
  (t) => [primaryKey({ name: 'recording_failures_pkey', columns: [t.incidentId, t.seq] }), index('recording_failures_at_idx').on(t.at)],
);

/** Recording attempts that failed and are being retried: an incident whose steps wait here is stuck. */
export const recordingRetries = pgTable('recording_retries', {
  incidentId: text('incident_id').primaryKey(),
  seq: integer('seq').notNull(),
  attempts: integer('attempts').notNull(),
  firstFailedAt: at('first_failed_at').notNull(),
  lastFailedAt: at('last_failed_at').notNull(),
  lastError: text('last_error').notNull(),
});

export const stageTimings = pgTable(
  'stage_timings',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    incidentId: text('incident_id').notNull(),
    stage: text('stage').notNull(),
    enteredSeq: integer('entered_seq').notNull(),
    enteredAt: at('entered_at').notNull(),
    leftSeq: integer('left_seq'),
    leftAt: at('left_at'),
  },
  (t) => [uniqueIndex('stage_timings_incident_entered_key').on(t.incidentId, t.enteredSeq)],
);

export const apiKeys = pgTable(
  'api_keys',
  {
    id: text('id').primaryKey(),
    /** The actor name in the audit log and for the two-person rule: unique among active keys. */
    name: text('name').notNull(),
    roles: jsonb('roles').$type<string[]>().notNull(),
    /** The alert sources the key may post to; null: any. */
    sources: jsonb('sources').$type<string[]>(),
    /** SHA-256 of the token; the token itself is shown once and never stored. */
    tokenHash: text('token_hash').notNull().unique(),
    createdAt: at('created_at').notNull().default(sql`now()`),
    revokedAt: at('revoked_at'),
    /** After this instant the token is refused; null: until revoked. */
    expiresAt: at('expires_at'),
    /** The `IRFLOW_SECRET_*` variable with the key's HMAC secret; set: its alert requests must be signed. */
    signatureSecretEnv: text('signature_secret_env'),
  },
  (t) => [uniqueIndex('api_keys_active_name_key').on(t.name).where(sql`${t.revokedAt} is null`)],
);

/** Who read, exported or replayed which incident's history, and when (auditors read it). */
export const accessLog = pgTable(
  'access_log',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    at: at('at').notNull().default(sql`now()`),
    actor: text('actor').notNull(),
    action: text('action').notNull(),
    incidentId: text('incident_id').notNull(),
  },
  (t) => [index('access_log_at_idx').on(t.at), index('access_log_incident_idx').on(t.incidentId)],
);

/** Where escalations are sent: webhooks, signed with HMAC-SHA256 when a secret is named. */
export const notificationChannels = pgTable('notification_channels', {
  id: text('id').primaryKey(),
  type: text('type').notNull(),
  url: text('url').notNull(),
  /** The environment variable holding the signing secret (the secret itself is never stored). */
  secretEnv: text('secret_env'),
  updatedAt: at('updated_at').notNull().default(sql`now()`),
});

export const playbookVersions = pgTable(
  'playbook_versions',
  {
    playbookId: text('playbook_id').notNull(),
    version: integer('version').notNull(),
    hash: text('hash').notNull(),
    // json, not jsonb: the document keeps its key order (stages, events) as written.
    document: json('document').notNull(),
    createdAt: at('created_at').notNull().default(sql`now()`),
    createdBy: text('created_by').notNull(),
  },
  (t) => [
    primaryKey({ name: 'playbook_versions_pkey', columns: [t.playbookId, t.version] }),
    uniqueIndex('playbook_versions_id_hash_key').on(t.playbookId, t.hash),
  ],
);

export * from './context.schema.js';
export * from './measures.schema.js';
export * from './exposure.schema.js';
export * from './simulations.schema.js';
