/** The built-in context store: idempotent bulk upserts by id, and the indexed lookups connectors make. */
import { and, arrayOverlaps, getTableColumns, gt, gte, inArray, isNotNull, isNull, lte, or, sql, type SQL } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';
import type { AssetRecord, BusinessUnitRecord, ChangeRecord, ContextRecords, IntelRecord, Observable, RiskExceptionRecord } from '../machines/context.types.js';
import type { ContextKind } from '../machines/playbook.types.js';
import type { Database } from './client.js';
import { contextAssets, contextBusinessUnits, contextChanges, contextIntel, contextRiskExceptions } from './context.schema.js';

const iso = (d: Date) => d.toISOString();
const opt = <T>(value: T | null | undefined) => value ?? undefined;

type Row<K extends ContextKind> = Record<string, unknown> & { record?: ContextRecords[K] };

const TABLES = {
  asset: {
    table: contextAssets,
    key: [contextAssets.id],
    toRow: (r: AssetRecord) => ({ ...r, businessProcess: r.businessProcess ?? null, dataClassification: r.dataClassification ?? null }),
  },
  'business-unit': { table: contextBusinessUnits, key: [contextBusinessUnits.id], toRow: (r: BusinessUnitRecord) => ({ ...r, manager: r.manager ?? null, channel: r.channel ?? null }) },
  change: {
    table: contextChanges,
    key: [contextChanges.id],
    toRow: (r: ChangeRecord) => ({
      ...r,
      type: r.type ?? null,
      kind: r.kind ?? null,
      before: r.before ?? null,
      after: r.after ?? null,
      attributes: r.attributes ?? null,
      plannedStart: new Date(r.plannedStart),
      plannedEnd: new Date(r.plannedEnd),
    }),
  },
  'risk-exception': {
    table: contextRiskExceptions,
    key: [contextRiskExceptions.id],
    toRow: (r: RiskExceptionRecord) => ({ ...r, assetIds: r.assetIds ?? null, ruleIds: r.ruleIds ?? null, expiresAt: new Date(r.expiresAt) }),
  },
  intel: { table: contextIntel, key: [contextIntel.type, contextIntel.indicator], toRow: (r: IntelRecord) => ({ ...r, indicator: r.indicator.toLowerCase() }) },
} as const;

/** Upserts validated records by id (intel by type and indicator) in one transaction. */
export async function upsertContext<K extends ContextKind>(db: Database, kind: K, records: ContextRecords[K][]): Promise<number> {
  const { table, key, toRow } = TABLES[kind] as unknown as { table: PgTable; key: never[]; toRow: (r: ContextRecords[K]) => Row<K> };
  const columns = getTableColumns(table);
  const keyNames = new Set((key as Array<{ name: string }>).map((c) => c.name));
  const set: Record<string, SQL> = { updatedAt: sql`now()` };
  for (const [property, column] of Object.entries(columns)) {
    if (!keyNames.has(column.name) && property !== 'updatedAt') set[property] = sql.raw(`excluded."${column.name}"`);
  }
  await db.transaction(async (tx) => {
    for (let i = 0; i < records.length; i += 1000) {
      const rows = records.slice(i, i + 1000).map(toRow);
      await tx.insert(table).values(rows as never).onConflictDoUpdate({ target: key, set });
    }
  });
  return records.length;
}

export function toAsset(row: typeof contextAssets.$inferSelect): AssetRecord {
  const { updatedAt: _u, businessProcess, dataClassification, ...rest } = row;
  return { ...rest, criticality: rest.criticality as AssetRecord['criticality'], businessProcess: opt(businessProcess), dataClassification: opt(dataClassification) };
}

export async function findAssets(db: Database, hostnames: string[], ips: string[]): Promise<AssetRecord[]> {
  const match: SQL[] = [];
  if (hostnames.length > 0) match.push(inArray(sql`lower(${contextAssets.hostname})`, hostnames.map((h) => h.toLowerCase())));
  if (ips.length > 0) match.push(arrayOverlaps(contextAssets.ips, ips));
  if (match.length === 0) return [];
  return (await db.select().from(contextAssets).where(or(...match))).map(toAsset);
}

export async function findBusinessUnits(db: Database, ids: string[]): Promise<BusinessUnitRecord[]> {
  if (ids.length === 0) return [];
  const rows = await db.select().from(contextBusinessUnits).where(inArray(contextBusinessUnits.id, ids));
  return rows.map(({ updatedAt: _u, manager, channel, ...rest }) => ({
    ...rest,
    criticality: rest.criticality as BusinessUnitRecord['criticality'],
    manager: opt(manager),
    ...(channel ? { channel } : {}),
  }));
}

/** Changes touching any of the assets whose planned window overlaps [from, to]. */
export async function findChanges(db: Database, assetIds: string[], from: Date, to: Date): Promise<ChangeRecord[]> {
  if (assetIds.length === 0) return [];
  const rows = await db
    .select()
    .from(contextChanges)
    .where(and(arrayOverlaps(contextChanges.assetIds, assetIds), lte(contextChanges.plannedStart, to), gte(contextChanges.plannedEnd, from)));
  return rows.map(toChange);
}

/** A stored change as connectors and rules see it: optional facts only when given. */
export function toChange(row: typeof contextChanges.$inferSelect): ChangeRecord {
  const { updatedAt: _u, plannedStart, plannedEnd, type, kind, before, after, attributes, ...rest } = row;
  return {
    ...rest,
    ...(type ? { type } : {}),
    ...(kind ? { kind } : {}),
    ...(before ? { before } : {}),
    ...(after ? { after } : {}),
    ...(attributes ? { attributes } : {}),
    plannedStart: iso(plannedStart),
    plannedEnd: iso(plannedEnd),
  };
}

/** Unexpired exceptions that cover the alert: every criterion they give (assets, rules) holds. */
export async function findRiskExceptions(db: Database, assetIds: string[], ruleIds: string[], now: Date): Promise<RiskExceptionRecord[]> {
  const assetsHold = or(isNull(contextRiskExceptions.assetIds), assetIds.length ? arrayOverlaps(contextRiskExceptions.assetIds, assetIds) : sql`false`);
  const rulesHold = or(isNull(contextRiskExceptions.ruleIds), ruleIds.length ? arrayOverlaps(contextRiskExceptions.ruleIds, ruleIds) : sql`false`);
  const saysSomething = or(isNotNull(contextRiskExceptions.assetIds), isNotNull(contextRiskExceptions.ruleIds));
  // Imported exceptions (no status) and those whose lifecycle made them active; not requested, rejected, expired or revoked ones.
  const covering = or(isNull(contextRiskExceptions.status), inArray(contextRiskExceptions.status, ['active', 'expiring']));
  const rows = await db.select().from(contextRiskExceptions).where(and(gt(contextRiskExceptions.expiresAt, now), assetsHold, rulesHold, saysSomething, covering));
  return rows.map(({ updatedAt: _u, assetIds: a, ruleIds: r, expiresAt, status: _s, lifecycle: _l, recordedSeq: _r, ...rest }) => ({
    ...rest,
    ...(a ? { assetIds: a } : {}),
    ...(r ? { ruleIds: r } : {}),
    expiresAt: iso(expiresAt),
  }));
}

export async function findIntel(db: Database, observables: Observable[]): Promise<IntelRecord[]> {
  if (observables.length === 0) return [];
  const pairs = observables.map((o) => sql`(${o.type}, ${o.value.toLowerCase()})`);
  const rows = await db.select().from(contextIntel).where(sql`(${contextIntel.type}, ${contextIntel.indicator}) in (${sql.join(pairs, sql`, `)})`);
  return rows.map(({ updatedAt: _u, ...rest }) => ({ ...rest, type: rest.type as IntelRecord['type'], verdict: rest.verdict as IntelRecord['verdict'] }));
}
