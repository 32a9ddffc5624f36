/**
 * Tables of the built-in context connectors, fed by bulk upserts (`PUT /v1/context/:kind`).
 * GIN indexes run without fastupdate: lookups are the hot path, and a pending list left by a
 * bulk import (until the next vacuum: a minute later at best, db/embedded-vacuum.ts on PGlite) slows
 * them tenfold.
 */
import { sql } from 'drizzle-orm';
import { index, integer, jsonb, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';

const at = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });
const updatedAt = () => at('updated_at').notNull().default(sql`now()`);

export const contextAssets = pgTable(
  'context_assets',
  {
    id: text('id').primaryKey(),
    hostname: text('hostname').notNull(),
    ips: text('ips').array().notNull(),
    owner: text('owner').notNull(),
    businessUnit: text('business_unit').notNull(),
    businessProcess: text('business_process'),
    criticality: text('criticality').notNull(),
    dataClassification: text('data_classification'),
    updatedAt: updatedAt(),
  },
  (t) => [index('context_assets_hostname_idx').on(sql`lower(${t.hostname})`), index('context_assets_ips_idx').using('gin', t.ips).with({ fastupdate: false })],
);

export const contextBusinessUnits = pgTable('context_business_units', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  criticality: text('criticality').notNull(),
  manager: text('manager'),
  /** The notification channel that hears this unit's exposure digest (daily, and at once for P1/P2). */
  channel: text('channel'),
  updatedAt: updatedAt(),
});

export const contextChanges = pgTable(
  'context_changes',
  {
    id: text('id').primaryKey(),
    assetIds: text('asset_ids').array().notNull(),
    title: text('title').notNull(),
    plannedStart: at('planned_start').notNull(),
    plannedEnd: at('planned_end').notNull(),
    status: text('status').notNull(),
    /** The kind of change: configuration, deployment, patch, … */
    type: text('type'),
    /** What was changed (firewall, iam, storage, …), and the configuration before and after: what exposure rules read. */
    kind: text('kind'),
    before: jsonb('before').$type<Record<string, unknown>>(),
    after: jsonb('after').$type<Record<string, unknown>>(),
    /** Other facts of the change (environment, ticket, approved, source, …). */
    attributes: jsonb('attributes').$type<Record<string, unknown>>(),
    updatedAt: updatedAt(),
  },
  (t) => [index('context_changes_asset_ids_idx').using('gin', t.assetIds).with({ fastupdate: false }), index('context_changes_planned_idx').on(t.plannedStart)],
);

export const contextRiskExceptions = pgTable(
  'context_risk_exceptions',
  {
    id: text('id').primaryKey(),
    assetIds: text('asset_ids').array(),
    ruleIds: text('rule_ids').array(),
    expiresAt: at('expires_at').notNull(),
    justification: text('justification').notNull(),
    owner: text('owner').notNull(),
    /** Null for an exception imported as it is; else where its lifecycle (risk exception workflow) stands. */
    status: text('status'),
    /** The lifecycle's state as its workflow last recorded it, and the last event recorded. */
    lifecycle: jsonb('lifecycle').$type<Record<string, unknown>>(),
    recordedSeq: integer('recorded_seq').notNull().default(0),
    updatedAt: updatedAt(),
  },
  (t) => [index('context_risk_exceptions_expires_idx').on(t.expiresAt)],
);

export const contextIntel = pgTable(
  'context_intel',
  {
    type: text('type').notNull(),
    /** Lower-cased, so lookups ignore case. */
    indicator: text('indicator').notNull(),
    verdict: text('verdict').notNull(),
    confidence: integer('confidence').notNull(),
    source: text('source').notNull(),
    updatedAt: updatedAt(),
  },
  (t) => [primaryKey({ name: 'context_intel_pkey', columns: [t.type, t.indicator] })],
);
