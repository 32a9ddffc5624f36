/**
 * Exposure rules, versioned as playbooks are (same id and content → that version; new content →
 * version + 1), and the (rule, change) matches: the row is claimed before the incident is opened,
 * so a change posted twice, or by two API processes at once, opens one incident per rule.
 */
import { createHash } from 'node:crypto';
import { and, desc, eq, sql } from 'drizzle-orm';
import type { ExposureRule } from '../machines/exposure-rule.js';
import type { Database } from './client.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { isUniqueViolation } from './errors.js';
import { exposureMatches, exposureRuleVersions } from './exposure.schema.js';
import { canonicalJson } from './ledger.js';

export interface RegisteredRule {
  id: string;
  version: number;
  hash: string;
  rule: ExposureRule;
  created: boolean;
  createdAt: string;
  createdBy: string;
}

type Row = typeof exposureRuleVersions.$inferSelect;

const registered = (row: Row, created: boolean): RegisteredRule => ({
  id: row.ruleId,
  version: row.version,
  hash: row.hash,
  rule: row.document as ExposureRule,
  created,
  createdAt: row.createdAt.toISOString(),
  createdBy: row.createdBy,
});

export async function registerExposureRule(db: Database, rule: ExposureRule, createdBy: string): Promise<RegisteredRule> {
  const hash = createHash('sha256').update(canonicalJson(rule)).digest('hex');
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await db.transaction(async (tx) => {
        const [same] = await tx.select().from(exposureRuleVersions).where(and(eq(exposureRuleVersions.ruleId, rule.id), eq(exposureRuleVersions.hash, hash)));
        if (same) return registered(same, false);
        const [latest] = await tx.select({ version: sql<number>`max(${exposureRuleVersions.version})` }).from(exposureRuleVersions).where(eq(exposureRuleVersions.ruleId, rule.id));
        const version = Number(latest?.version ?? 0) + 1;
        const [row] = await tx.insert(exposureRuleVersions).values({ ruleId: rule.id, version, hash, document: rule, createdBy }).returning();
        return registered(row!, true);
      });
    } catch (error) {
      // A concurrent registration took the version number (or stored the same content): look again.
      if (attempt < 3 && isUniqueViolation(error)) continue;
      throw error;
    }
  }
}

/** The latest version of every rule, by id. */
export async function latestExposureRules(db: Database): Promise<RegisteredRule[]> {
  const rows = await db.selectDistinctOn([exposureRuleVersions.ruleId]).from(exposureRuleVersions).orderBy(exposureRuleVersions.ruleId, desc(exposureRuleVersions.version));
  return rows.map((row) => registered(row, false));
}

export async function listExposureRuleVersions(db: Database, id: string): Promise<RegisteredRule[]> {
  const rows = await db.select().from(exposureRuleVersions).where(eq(exposureRuleVersions.ruleId, id)).orderBy(exposureRuleVersions.version);
  return rows.map((row) => registered(row, false));
}

export interface ExposureMatch {
  ruleId: string;
  changeId: string;
  ruleVersion: number;
  incidentId: string;
  changeKind: string | null;
  matchedAt: string;
}

/**
 * Claims (rule, change) for `incidentId`: the match as stored, and whether this call stored it.
 * A match stored before keeps its incident (the change was posted again).
 */
export async function claimExposureMatch(db: Database, match: Omit<ExposureMatch, 'matchedAt'>): Promise<{ match: ExposureMatch; claimed: boolean }> {
  const inserted = await db.insert(exposureMatches).values(match).onConflictDoNothing().returning();
  const [row] = inserted.length > 0 ? inserted : await db.select().from(exposureMatches).where(and(eq(exposureMatches.ruleId, match.ruleId), eq(exposureMatches.changeId, match.changeId)));
  return { match: { ...row!, matchedAt: row!.matchedAt.toISOString() }, claimed: inserted.length > 0 };
}

/** The matches of a rule, newest first, `limit` at a time; `nextCursor` reads on from the last one shown. */
export async function matchesOfRule(db: Database, ruleId: string, page: { limit: number; cursor?: string }): Promise<{ matches: ExposureMatch[]; nextCursor: string | null }> {
  // Postgres stamps matches to the microsecond, a cursor holds milliseconds: pages are ordered by the millisecond.
  const matchedMs = sql`date_trunc('milliseconds', ${exposureMatches.matchedAt})`;
  const conditions = [eq(exposureMatches.ruleId, ruleId)];
  if (page.cursor) {
    const { at, values } = decodeCursor(page.cursor, 2);
    conditions.push(sql`(${matchedMs}, ${exposureMatches.changeId}) < (${at.toISOString()}::timestamptz, ${values[1]!})`);
  }
  const rows = await db
    .select()
    .from(exposureMatches)
    .where(and(...conditions))
    .orderBy(desc(matchedMs), desc(exposureMatches.changeId))
    .limit(page.limit + 1);
  const shown = rows.slice(0, page.limit);
  const last = shown.at(-1);
  return {
    matches: shown.map((row) => ({ ...row, matchedAt: row.matchedAt.toISOString() })),
    nextCursor: rows.length > page.limit && last ? encodeCursor([last.matchedAt.toISOString(), last.changeId]) : null,
  };
}
