/**
 * `npm run worker`: a worker only, for scaling out (many workers on one task queue). Needs
 * TEMPORAL_ADDRESS and DATABASE_URL: the embedded database belongs to one process.
 */
import { NativeConnection } from '@temporalio/worker';
import { openDatabase } from '../db/client.js';
import { loadConfig } from './config.js';
import { createIncidentWorker } from './worker.js';

async function main(): Promise<void> {
  const config = loadConfig();
  if (!config.temporalAddress || !config.databaseUrl) {
    throw new Error('a worker on its own needs TEMPORAL_ADDRESS and DATABASE_URL (npm start runs everything in one process)');
  }
  const database = await openDatabase({ url: config.databaseUrl });
  const connection = await NativeConnection.connect({ address: config.temporalAddress });
  const worker = await createIncidentWorker({ connection, namespace: config.temporalNamespace, taskQueue: config.taskQueue, db: database.db });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => worker.shutdown());
  console.error(`worker polling ${config.taskQueue} on ${config.temporalAddress}`);
  await worker.run();
  await connection.close();
  await database.close();
}

main().catch((error: unknown) => {
  console.error(`worker failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
