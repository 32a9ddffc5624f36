/** Immutable, versioned playbooks: same id and content is the same version; new content is version + 1. */
import { createHash } from 'node:crypto';
import { and, desc, eq, or, sql } from 'drizzle-orm';
import type { NormalisedAlert } from '../machines/alert.js';
import { routeAlert } from '../machines/playbook.routing.js';
import type { PinnedPlaybook, PlaybookDocument } from '../machines/playbook.types.js';
import type { Database } from './client.js';
import { canonicalJson } from './ledger.js';
import { isUniqueViolation } from './errors.js';
import { playbookVersions } from './schema.js';
import { selectRows } from './sql-rows.js';

export function playbookHash(document: PlaybookDocument): string {
  return createHash('sha256').update(canonicalJson(document)).digest('hex');
}

export interface RegisteredPlaybook extends PinnedPlaybook {
  /** False when this exact content was already stored (the existing version is returned). */
  created: boolean;
  createdAt: string;
  createdBy: string;
}

type Row = typeof playbookVersions.$inferSelect;

function pinned(row: Row, created: boolean): RegisteredPlaybook {
  return {
    id: row.playbookId,
    version: row.version,
    hash: row.hash,
    document: row.document as PlaybookDocument,
    created,
    createdAt: row.createdAt.toISOString(),
    createdBy: row.createdBy,
  };
}

/** Stores a validated document as a version; safe under concurrent registration of the same id. */
export async function registerPlaybook(db: Database, document: PlaybookDocument, createdBy: string): Promise<RegisteredPlaybook> {
  const hash = playbookHash(document);
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await db.transaction(async (tx) => {
        const [same] = await tx
          .select()
          .from(playbookVersions)
          .where(and(eq(playbookVersions.playbookId, document.id), eq(playbookVersions.hash, hash)));
        if (same) return pinned(same, false);
        const [latest] = await tx
          .select({ version: sql<number>`max(${playbookVersions.version})` })
          .from(playbookVersions)
          .where(eq(playbookVersions.playbookId, document.id));
        const version = Number(latest?.version ?? 0) + 1;
        const [row] = await tx.insert(playbookVersions).values({ playbookId: document.id, version, hash, document, createdBy }).returning();
        return pinned(row!, true);
      });
    } catch (error) {
      // A concurrent registration took the version number (or stored the same content): look again.
      if (attempt < 3 && isUniqueViolation(error)) continue;
      throw error;
    }
  }
}

export async function latestPlaybook(db: Database, id: string): Promise<RegisteredPlaybook | undefined> {
  const [row] = await db.select().from(playbookVersions).where(eq(playbookVersions.playbookId, id)).orderBy(desc(playbookVersions.version)).limit(1);
  return row ? pinned(row, false) : undefined;
}

export async function playbookVersion(db: Database, id: string, version: number): Promise<RegisteredPlaybook | undefined> {
  const [row] = await db
    .select()
    .from(playbookVersions)
    .where(and(eq(playbookVersions.playbookId, id), eq(playbookVersions.version, version)));
  return row ? pinned(row, false) : undefined;
}

/** The latest version of every playbook. */
export async function latestPlaybooks(db: Database): Promise<RegisteredPlaybook[]> {
  const rows = await db
    .selectDistinctOn([playbookVersions.playbookId])
    .from(playbookVersions)
    .orderBy(playbookVersions.playbookId, desc(playbookVersions.version));
  return rows.map((row) => pinned(row, false));
}

/** Every version of a playbook, oldest first. */
export async function listPlaybookVersions(db: Database, id: string): Promise<RegisteredPlaybook[]> {
  const rows = await db.select().from(playbookVersions).where(eq(playbookVersions.playbookId, id)).orderBy(playbookVersions.version);
  return rows.map((row) => pinned(row, false));
}

/** The version an incident pins: only what a workflow needs to carry. */
export function pinPlaybook({ id, version, hash, document }: PinnedPlaybook): PinnedPlaybook {
  return { id, version, hash, document };
}

function deepFrozen<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const inner of Object.values(value)) deepFrozen(inner);
    Object.freeze(value);
  }
  return value;
}

/** Playbook versions by `id@version`: immutable once stored, so a copy read once stays true. */
export type PlaybookVersionCache = Map<string, RegisteredPlaybook>;

/**
 * The latest version of every playbook, its documents from `cache` where read before: only which
 * version is the latest is read each time (no documents), and the documents of versions not seen yet.
 */
async function latestPlaybooksCached(db: Database, cache: PlaybookVersionCache): Promise<RegisteredPlaybook[]> {
  const latest = await selectRows<{ id: string; version: number }>(
    db,
    sql`select distinct on (${playbookVersions.playbookId}) ${playbookVersions.playbookId} as id, ${playbookVersions.version} as version
        from ${playbookVersions} order by ${playbookVersions.playbookId}, ${playbookVersions.version} desc`,
  );
  const key = (id: string, version: number) => `${id}@${version}`;
  const unseen = latest.filter((v) => !cache.has(key(v.id, Number(v.version))));
  if (unseen.length > 0) {
    const rows = await db
      .select()
      .from(playbookVersions)
      .where(or(...unseen.map((v) => and(eq(playbookVersions.playbookId, v.id), eq(playbookVersions.version, Number(v.version))))));
    // Frozen: every request shares the copy, none may change it.
    for (const row of rows) cache.set(key(row.playbookId, row.version), deepFrozen(pinned(row, false)));
  }
  return latest.map((v) => cache.get(key(v.id, Number(v.version)))).filter((p): p is RegisteredPlaybook => p !== undefined);
}

/**
 * Routes alerts with the latest playbook versions, read once (a batch routes all its alerts with
 * one read); undefined when not even the default playbook is registered. With a cache (one per API
 * process) a read fetches no document it has read before.
 */
export async function playbookRouter(db: Database, cache?: PlaybookVersionCache): Promise<(alert: NormalisedAlert) => PinnedPlaybook | undefined> {
  const playbooks = cache ? await latestPlaybooksCached(db, cache) : await latestPlaybooks(db);
  const documents = playbooks.map((p) => p.document);
  return (alert) => {
    const chosen = playbooks.find((p) => p.id === routeAlert(documents, alert));
    return chosen && pinPlaybook(chosen);
  };
}

/** Every role some playbook version names as approvers (`requires.approvals.roles`). */
export async function approverRoles(db: Database): Promise<Set<string>> {
  const rows = await selectRows<{ role: string }>(
    db,
    sql`select distinct r #>> '{}' as role from ${playbookVersions}, jsonb_path_query(${playbookVersions.document}::jsonb, '$.**.approvals.roles[*]') r`,
  );
  return new Set(rows.map((row) => row.role));
}
