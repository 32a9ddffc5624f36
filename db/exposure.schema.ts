/**
 * Exposure rules (versioned like playbooks: same id and content → the same version) and what they
 * matched: one row per (rule, change), the incident it opened, so a change posted twice opens one.
 */
import { sql } from 'drizzle-orm';
import { index, integer, json, pgTable, primaryKey, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';

const at = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

export const exposureRuleVersions = pgTable(
  'exposure_rule_versions',
  {
    ruleId: text('rule_id').notNull(),
    version: integer('version').notNull(),
    hash: text('hash').notNull(),
    // json, not jsonb: the document keeps its key order as written.
    document: json('document').notNull(),
    createdAt: at('created_at').notNull().default(sql`now()`),
    createdBy: text('created_by').notNull(),
  },
  (t) => [primaryKey({ name: 'exposure_rule_versions_pkey', columns: [t.ruleId, t.version] }), uniqueIndex('exposure_rule_versions_id_hash_key').on(t.ruleId, t.hash)],
);

export const exposureMatches = pgTable(
  'exposure_matches',
  {
    ruleId: text('rule_id').notNull(),
    changeId: text('change_id').notNull(),
    ruleVersion: integer('rule_version').notNull(),
    incidentId: text('incident_id').notNull(),
    /** The change's kind (firewall, iam, storage, …), for the trend of changes that result in exposures. */
    changeKind: text('change_kind'),
    matchedAt: at('matched_at').notNull().default(sql`now()`),
  },
  (t) => [primaryKey({ name: 'exposure_matches_pkey', columns: [t.ruleId, t.changeId] }), index('exposure_matches_incident_idx').on(t.incidentId)],
);
