/**
 * `npm run api`: the API only, for scaling out (many API processes behind a balancer). Needs
 * TEMPORAL_ADDRESS and DATABASE_URL; run migrations first (`npm start` once, or `npm run migrate`).
 */
import { Client, Connection } from '@temporalio/client';
import { buildApp } from '../api/app.js';
import { createPlaybookCatalog } from '../api/playbook-catalog.js';
import { seedAdminToken } from '../db/api-keys.repo.js';
import { openDatabase } from '../db/client.js';
import { apiSettings, loadConfig } from './config.js';
import { prepareKeyRing } from './signing-keys.js';
import { recordSettings } from './settings-record.js';
import { checkpointMaker, checkpointSettings } from './checkpoint-sink.js';
import { createReplayer } from './replayer.js';

async function main(): Promise<void> {
  const config = loadConfig();
  if (!config.temporalAddress || !config.databaseUrl) {
    throw new Error('the API on its own needs TEMPORAL_ADDRESS and DATABASE_URL (npm start runs everything in one process)');
  }
  const database = await openDatabase({ url: config.databaseUrl });
  if (config.adminToken) console.error(`bootstrap admin: ${await seedAdminToken(database.db, config.adminToken)}`);
  const keyRing = await prepareKeyRing(config.dataDir, database.db, (line) => console.error(line));
  if (await recordSettings(database.db, config, keyRing)) console.error('settings in force recorded in the system chain');
  const checkpoints = checkpointMaker(database.db, keyRing.signer, checkpointSettings(config.dataDir), (line) => console.error(line));
  const connection = await Connection.connect({ address: config.temporalAddress });
  const app = await buildApp({
    db: database.db,
    temporal: new Client({ connection, namespace: config.temporalNamespace }),
    taskQueue: config.taskQueue,
    playbooks: createPlaybookCatalog(database.db),
    replayer: createReplayer(),
    keyRing,
    checkpoints,
    ...apiSettings(config),
  });
  const stopCheckpoints = checkpoints.start();
  app.addHook('onClose', async () => {
    stopCheckpoints();
    await connection.close();
    await database.close();
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void app.close().then(() => process.exit(0)));
  await app.listen({ port: config.port, host: config.host });
}

main().catch((error: unknown) => {
  console.error(`api failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
