/** API keys: bearer tokens with roles. Only the SHA-256 of a token is stored. */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { and, asc, eq, gt, isNull, or, sql } from 'drizzle-orm';
import type { Database } from './client.js';
import { apiKeys } from './schema.js';

export const ROLES = ['admin', 'engineer', 'analyst', 'approver', 'auditor', 'ingest', 'metrics'] as const;
export type Role = (typeof ROLES)[number];

export interface ApiKey {
  id: string;
  name: string;
  roles: Role[];
  /** The alert sources the key may post to; absent: any. */
  sources?: string[];
  createdAt: string;
  revokedAt: string | null;
  /** After this instant the token is refused; null: until revoked. */
  expiresAt: string | null;
  /** The `IRFLOW_SECRET_*` variable with the key's HMAC secret: its alert requests must be signed. */
  signatureSecretEnv?: string;
}

/** What a key is made with besides its name and roles. */
export interface ApiKeyOptions {
  sources?: string[];
  expiresAt?: Date;
  signatureSecretEnv?: string;
}

export function tokenHash(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

function toApiKey(row: typeof apiKeys.$inferSelect): ApiKey {
  return {
    id: row.id,
    name: row.name,
    roles: row.roles as Role[],
    ...(row.sources ? { sources: row.sources } : {}),
    createdAt: row.createdAt.toISOString(),
    revokedAt: row.revokedAt?.toISOString() ?? null,
    expiresAt: row.expiresAt?.toISOString() ?? null,
    ...(row.signatureSecretEnv ? { signatureSecretEnv: row.signatureSecretEnv } : {}),
  };
}

/** Creates a key; the token is returned once, here, and never again. */
export async function createApiKey(db: Database, name: string, roles: Role[], options: ApiKeyOptions = {}): Promise<ApiKey & { token: string }> {
  const token = `irf_${randomBytes(32).toString('base64url')}`;
  const { sources, expiresAt, signatureSecretEnv } = options;
  const values = {
    id: randomUUID(),
    name,
    roles,
    tokenHash: tokenHash(token),
    sources: sources ? [...new Set(sources)] : null,
    expiresAt: expiresAt ?? null,
    signatureSecretEnv: signatureSecretEnv ?? null,
  };
  const [row] = await db.insert(apiKeys).values(values).returning();
  return { ...toApiKey(row!), token };
}

export const BOOTSTRAP_ADMIN_ID = 'bootstrap-admin';

/** What seeding the bootstrap admin did: created it, left the admins there are, or found it revoked. */
export type BootstrapOutcome = 'seeded' | 'admin-exists' | 'revoked';

/**
 * Creates the bootstrap admin key with `token` (IRFLOW_ADMIN_TOKEN, or the token `npm start`
 * keeps) only while no active admin key exists. A revoked bootstrap key stays revoked: a start
 * never brings it back, and a changed IRFLOW_ADMIN_TOKEN does not replace a key that exists.
 */
export async function seedAdminToken(db: Database, token: string): Promise<BootstrapOutcome> {
  const admins = await db
    .select({ id: apiKeys.id, revokedAt: apiKeys.revokedAt })
    .from(apiKeys)
    .where(sql`${apiKeys.roles} @> '["admin"]'::jsonb`);
  if (admins.some((key) => key.id === BOOTSTRAP_ADMIN_ID && key.revokedAt)) return 'revoked';
  if (admins.some((key) => !key.revokedAt)) return 'admin-exists';
  const values = { id: BOOTSTRAP_ADMIN_ID, name: 'admin', roles: ['admin'] as Role[], tokenHash: tokenHash(token), revokedAt: null };
  const inserted = await db.insert(apiKeys).values(values).onConflictDoNothing().returning({ id: apiKeys.id });
  return inserted.length > 0 ? 'seeded' : 'admin-exists';
}

/** The key of a token that is neither revoked nor expired at `now`. */
export async function findActiveKeyByToken(db: Database, token: string, now: Date = new Date()): Promise<ApiKey | undefined> {
  const unexpired = or(isNull(apiKeys.expiresAt), gt(apiKeys.expiresAt, now));
  const [row] = await db.select().from(apiKeys).where(and(eq(apiKeys.tokenHash, tokenHash(token)), isNull(apiKeys.revokedAt), unexpired));
  return row ? toApiKey(row) : undefined;
}

export async function listApiKeys(db: Database): Promise<ApiKey[]> {
  return (await db.select().from(apiKeys).orderBy(asc(apiKeys.createdAt))).map(toApiKey);
}

/** Revokes a key; false when there is no such active key. */
export async function revokeApiKey(db: Database, id: string): Promise<boolean> {
  const rows = await db
    .update(apiKeys)
    .set({ revokedAt: new Date() })
    .where(and(eq(apiKeys.id, id), isNull(apiKeys.revokedAt)))
    .returning({ id: apiKeys.id });
  return rows.length > 0;
}
