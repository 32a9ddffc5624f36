/**
 * `npm run worker`: a worker only, for scaling out (many workers on one task queue). Needs
 * TEMPORAL_ADDRESS and DATABASE_URL: the embedded database belongs to one process.
 * With IRFLOW_WORKER_METRICS_PORT set it serves its own Prometheus metrics (enrichment lookup
 * latency, process figures) on that port at /metrics, on 127.0.0.1 unless
 * IRFLOW_WORKER_METRICS_HOST says otherwise (no token: keep it off public interfaces).
 */
import { createServer } from 'node:http';
import { Registry, collectDefaultMetrics } from 'prom-client';
import { NativeConnection } from '@temporalio/worker';
import { openDatabase } from '../db/client.js';
import { loadConfig } from './config.js';
import { prepareKeyRing } from './signing-keys.js';
import { createIncidentWorker } from './worker.js';

async function main(): Promise<void> {
  const config = loadConfig();
  if (!config.temporalAddress || !config.databaseUrl) {
    throw new Error('a worker on its own needs TEMPORAL_ADDRESS and DATABASE_URL (npm start runs everything in one process)');
  }
  const database = await openDatabase({ url: config.databaseUrl });
  const connection = await NativeConnection.connect({ address: config.temporalAddress });
  const metrics = new Registry();
  collectDefaultMetrics({ register: metrics, prefix: 'irflow_worker_' });
  const { signer } = await prepareKeyRing(config.dataDir, database.db, (line) => console.error(line));
  const worker = await createIncidentWorker({ connection, namespace: config.temporalNamespace, taskQueue: config.taskQueue, db: database.db, metrics, signer, tuning: config.workerTuning });
  const metricsPort = process.env.IRFLOW_WORKER_METRICS_PORT;
  const server = metricsPort
    ? createServer((request, response) => {
        if (request.url !== '/metrics') return void response.writeHead(404).end();
        void metrics.metrics().then((text) => response.writeHead(200, { 'content-type': metrics.contentType }).end(text));
      }).listen(Number(metricsPort), process.env.IRFLOW_WORKER_METRICS_HOST || '127.0.0.1')
    : undefined;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => worker.shutdown());
  console.error(`worker polling ${config.taskQueue} on ${config.temporalAddress}`);
  await worker.run();
  server?.close();
  await connection.close();
  await database.close();
}

main().catch((error: unknown) => {
  console.error(`worker failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
