/**
 * One database factory: postgres.js when a URL is given (a real Postgres server, shared by many
 * processes), else PGlite, the embedded Postgres, in a folder under the data directory (one
 * process only), which vacuums itself while open. Nothing connects at import time.
 */
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { startEmbeddedVacuum } from './embedded-vacuum.js';
import * as schema from './schema.js';

export type Database = PgDatabase<PgQueryResultHKT, typeof schema>;

export interface DatabaseHandle {
  db: Database;
  kind: 'postgres' | 'pglite';
  migrate(): Promise<void>;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /** A postgres:// URL; when absent the embedded PGlite is used. */
  url?: string;
  /** Folder for PGlite's files; in memory when absent. */
  dataDir?: string;
  /** Largest number of pooled connections (postgres.js only). */
  maxConnections?: number;
  /** Where PGlite's own vacuum rounds are told (db/embedded-vacuum.ts); they run whether or not. */
  log?: (line: string) => void;
  /** How often PGlite's vacuum rounds run (default: every minute, as Postgres's autovacuum). */
  vacuumEveryMs?: number;
}

const migrationsFolder = fileURLToPath(new URL('./migrations', import.meta.url));

export async function openDatabase(options: DatabaseOptions): Promise<DatabaseHandle> {
  if (options.url) {
    const { default: postgres } = await import('postgres');
    const { drizzle } = await import('drizzle-orm/postgres-js');
    const { migrate } = await import('drizzle-orm/postgres-js/migrator');
    const sql = postgres(options.url, { max: options.maxConnections ?? 10, onnotice: () => undefined });
    const db = drizzle(sql, { schema });
    return {
      db: db as unknown as Database,
      kind: 'postgres',
      migrate: () => migrate(db, { migrationsFolder }),
      close: () => sql.end({ timeout: 5 }),
    };
  }
  const { PGlite } = await import('@electric-sql/pglite');
  const { drizzle } = await import('drizzle-orm/pglite');
  const { migrate } = await import('drizzle-orm/pglite/migrator');
  if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
  const client = await PGlite.create(options.dataDir ?? 'memory://');
  const db = drizzle(client, { schema });
  // PGlite has no autovacuum of its own (one standalone backend): the handle runs one.
  const stopVacuum = startEmbeddedVacuum(db as unknown as Database, { ...(options.log ? { log: options.log } : {}), ...(options.vacuumEveryMs ? { everyMs: options.vacuumEveryMs } : {}) });
  return {
    db: db as unknown as Database,
    kind: 'pglite',
    migrate: () => migrate(db, { migrationsFolder }),
    async close() {
      stopVacuum();
      await client.close();
    },
  };
}
