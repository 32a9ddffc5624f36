/**
 * `npm run migrate`: applies the database migrations (DATABASE_URL, else the embedded database),
 * registers the shipped playbooks, seeds IRFLOW_ADMIN_TOKEN, rebuilds missing KPI measures from the audit log, and registers the workflow's search
 * attributes when TEMPORAL_ADDRESS names a server. Run from one process before workers and APIs.
 * With IRFLOW_APP_ROLE (and IRFLOW_APP_ROLE_PASSWORD to make it) on Postgres it also sets up the
 * least-privilege role the API and the workers connect as (db/app-role.ts).
 */
import { join } from 'node:path';
import { Connection } from '@temporalio/client';
import { seedAdminToken } from '../db/api-keys.repo.js';
import { grantAppRole, LEDGER_TABLES } from '../db/app-role.js';
import { openDatabase } from '../db/client.js';
import { backfillMeasures } from '../db/measures.rows.js';
import { loadConfig } from './config.js';
import { ensureSearchAttributes } from './search-attributes.js';
import { loadShippedPlaybooks } from './shipped-playbooks.js';

const config = loadConfig();
const database = await openDatabase({ url: config.databaseUrl, dataDir: join(config.dataDir, 'pglite') });
try {
  await database.migrate();
  const playbooks = await loadShippedPlaybooks(database.db);
  if (config.adminToken) console.error(`bootstrap admin: ${await seedAdminToken(database.db, config.adminToken)}`);
  const backfilled = await backfillMeasures(database.db);
  const appRole = process.env.IRFLOW_APP_ROLE;
  if (appRole && database.kind !== 'postgres') console.error('IRFLOW_APP_ROLE is for a Postgres server: the embedded database has no roles');
  else if (appRole) {
    await grantAppRole(database.db, appRole, process.env.IRFLOW_APP_ROLE_PASSWORD || undefined);
    console.log(`role ${appRole}: reads and writes the projections; INSERT and SELECT only on ${LEDGER_TABLES.join(', ')}`);
  }
  console.log(`migrated ${database.kind}; playbooks ${playbooks.map((p) => `${p.id}@${p.version}`).join(', ')}; measures rebuilt for ${backfilled} incidents`);
  if (config.temporalAddress) {
    const connection = await Connection.connect({ address: config.temporalAddress });
    try {
      const added = await ensureSearchAttributes(connection, config.temporalNamespace);
      console.log(added.length > 0 ? `registered search attributes ${added.join(', ')}` : 'search attributes already registered');
    } finally {
      await connection.close();
    }
  }
} finally {
  await database.close();
}
