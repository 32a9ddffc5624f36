/** `npm run migrate`: applies the database migrations (DATABASE_URL, else the embedded database). */
import { join } from 'node:path';
import { openDatabase } from '../db/client.js';
import { loadConfig } from './config.js';
import { loadShippedPlaybooks } from './shipped-playbooks.js';

const config = loadConfig();
const database = await openDatabase({ url: config.databaseUrl, dataDir: join(config.dataDir, 'pglite') });
try {
  await database.migrate();
  const playbooks = await loadShippedPlaybooks(database.db);
  console.log(`migrated ${database.kind}; playbooks ${playbooks.map((p) => `${p.id}@${p.version}`).join(', ')}`);
} finally {
  await database.close();
}
