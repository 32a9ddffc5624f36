/**
 * The stack the in-process benchmarks run on, as `npm start` runs it: a Temporal dev server, a
 * database (DATABASE_URL or PGlite, see bench-database.ts), the incident worker and a worker for
 * the benchmark's bare baseline workflow on the same connection, and the API on a local port.
 */
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../api/app.js';
import { createPlaybookCatalog } from '../api/playbook-catalog.js';
import { seedAdminToken } from '../db/api-keys.repo.js';
import type { DatabaseHandle } from '../db/client.js';
import { startDevServer } from '../runtime/dev-server.js';
import { freePort } from '../runtime/ports.js';
import { loadShippedPlaybooks } from '../runtime/shipped-playbooks.js';
import { createIncidentWorker } from '../runtime/worker.js';
import { workerTuningFromEnv } from '../runtime/worker-tuning.js';
import { locateTemporalCli } from '../scripts/temporal-cli.js';
import { BENCH_LIMITS, benchDynamicConfig, openBenchDatabase } from './bench-database.js';
import type { EvidenceStore } from '../runtime/evidence-store.js';

export const BARE_TASK_QUEUE = 'bench-bare';

export interface BenchStack {
  api: string;
  token: string;
  client: Client;
  database: DatabaseHandle;
  taskQueue: string;
  app: FastifyInstance;
  /** The processes an item costs CPU in, for cpuSnapshot: this one (the API, its worker, the client), Temporal, Postgres. */
  cpuProcesses(): Record<string, number | 'postgres'>;
  /** Sums and counts of the worker's Temporal histograms (BENCH_TEMPORAL_METRICS=1), else empty. */
  temporalHistograms(): Promise<Map<string, { sum: number; count: number }>>;
  close(): Promise<void>;
}

/** The worker's own Temporal metrics, scraped from core's Prometheus exporter. */
async function scrapeHistograms(address: string | undefined): Promise<Map<string, { sum: number; count: number }>> {
  const totals = new Map<string, { sum: number; count: number }>();
  if (!address) return totals;
  const text = await (await fetch(`http://${address}/metrics`)).text();
  for (const line of text.split('\n')) {
    const match = /^(temporal_\w+)_(sum|count)\{([^}]*)\} (\S+)$/.exec(line);
    if (!match) continue;
    const [, name, part, labels, value] = match;
    const kind = /workflow_type="([^"]+)"|activity_type="([^"]+)"/.exec(labels!);
    const key = `${name}${kind ? ` ${kind[1] ?? kind[2]}` : ''}`;
    const entry = totals.get(key) ?? { sum: 0, count: 0 };
    entry[part as 'sum' | 'count'] += Number(value);
    totals.set(key, entry);
  }
  return totals;
}

/** `bareWorkflows`: the module (a URL relative to bench/) holding the baseline's workflows. */
export async function startBenchStack(options: { name: string; bareWorkflows: URL; evidence?: EvidenceStore }): Promise<BenchStack> {
  const metricsAddress = process.env.BENCH_TEMPORAL_METRICS ? `127.0.0.1:${await freePort()}` : undefined;
  Runtime.install({
    logger: new DefaultLogger('ERROR'),
    ...(metricsAddress ? { telemetryOptions: { metrics: { prometheus: { bindAddress: metricsAddress } } } } : {}),
  });
  const cliPath = await locateTemporalCli();
  if (!cliPath) throw new Error(`the ${options.name} benchmark needs the Temporal CLI (npm run temporal:install)`);
  const server = await startDevServer({ cliPath, port: await freePort(), uiPort: false, fastUnsafe: false, ...benchDynamicConfig() });
  const { handle: database, drop } = await openBenchDatabase();
  const token = `irf_bench_${options.name}_admin`;
  await loadShippedPlaybooks(database.db);
  await seedAdminToken(database.db, token);
  const taskQueue = `bench-${options.name}`;
  const workerConnection = await NativeConnection.connect({ address: server.address });
  const worker = await createIncidentWorker({ connection: workerConnection, namespace: 'default', taskQueue, db: database.db, tuning: workerTuningFromEnv() });
  const bareWorker = await Worker.create({ connection: workerConnection, taskQueue: BARE_TASK_QUEUE, workflowsPath: fileURLToPath(options.bareWorkflows) });
  const running = [worker.run(), bareWorker.run()];
  const connection = await Connection.connect({ address: server.address });
  const client = new Client({ connection });
  const app = await buildApp({ db: database.db, temporal: client, taskQueue, playbooks: createPlaybookCatalog(database.db), limits: BENCH_LIMITS, ...(options.evidence ? { evidence: options.evidence } : {}) });
  const port = await freePort();
  await app.listen({ port, host: '127.0.0.1' });
  return {
    api: `http://127.0.0.1:${port}`,
    token,
    client,
    database,
    taskQueue,
    app,
    cpuProcesses: () => ({ 'this process': process.pid, temporal: server.process.pid!, postgres: 'postgres' }),
    temporalHistograms: () => scrapeHistograms(metricsAddress),
    async close() {
      await app.close();
      worker.shutdown();
      bareWorker.shutdown();
      await Promise.all(running);
      await workerConnection.close();
      await connection.close();
      await drop();
      await server.stop();
    },
  };
}
