/**
 * The stack of the benchmarks that run the worker in a process of its own (`npm run worker`'s
 * entry), as production does: a dev server, a fresh Postgres database (PGlite cannot be shared
 * between processes: DATABASE_URL is needed), the API in this process on a local port.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../api/app.js';
import { createPlaybookCatalog } from '../api/playbook-catalog.js';
import { seedAdminToken } from '../db/api-keys.repo.js';
import type { DatabaseHandle } from '../db/client.js';
import { startDevServer } from '../runtime/dev-server.js';
import { freePort } from '../runtime/ports.js';
import { loadShippedPlaybooks } from '../runtime/shipped-playbooks.js';
import { locateTemporalCli } from '../scripts/temporal-cli.js';
import { BENCH_LIMITS, benchDynamicConfig, openBenchDatabase } from './bench-database.js';

const TOKEN = 'irf_bench_worker_admin';
const root = fileURLToPath(new URL('..', import.meta.url));

export interface WorkerStack {
  api: string;
  token: string;
  client: Client;
  database: DatabaseHandle;
  app: FastifyInstance;
  worker: ChildProcess;
  temporalAddress: string;
  temporalPid: number;
  close(): Promise<void>;
}

/** A process's resident set, MB (0 when it is gone). */
export async function rssMbOf(pid: number | undefined): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

/**
 * Resolves once the worker process polls its task queue (its entry says so on stderr, which goes
 * on to this process's): a load started before would count the worker's start - its workflow
 * bundle built on a loaded machine, 6-8 s here - as time it failed to record in.
 */
function polling(worker: ChildProcess, timeoutMs = 120_000): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`the worker did not poll within ${timeoutMs / 1000} s`)), timeoutMs);
    const done = (error?: Error) => {
      clearTimeout(timer);
      if (error) reject(error);
      else resolve();
    };
    worker.stderr!.on('data', (chunk: Buffer) => {
      process.stderr.write(chunk);
      seen = (seen + chunk.toString()).slice(-4096);
      if (seen.includes('worker polling ')) done();
    });
    worker.once('exit', (code) => done(new Error(`the worker exited with code ${code} before polling`)));
  });
}

/** `name` is the task queue; `workerArgs` go to node before the worker's entry (e.g. --cpu-prof). */
export async function startWorkerStack(name: string, workerArgs: string[] = []): Promise<WorkerStack> {
  if (!process.env.DATABASE_URL) throw new Error(`bench:${name} runs the worker in its own process: set DATABASE_URL to a Postgres server`);
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const cliPath = await locateTemporalCli();
  if (!cliPath) throw new Error(`bench:${name} needs the Temporal CLI (npm run temporal:install)`);
  const server = await startDevServer({ cliPath, port: await freePort(), uiPort: false, ...benchDynamicConfig() });
  const { handle: database, drop, url } = await openBenchDatabase();
  await loadShippedPlaybooks(database.db);
  await seedAdminToken(database.db, TOKEN);
  const connection = await Connection.connect({ address: server.address });
  const client = new Client({ connection });
  const app = await buildApp({ db: database.db, temporal: client, taskQueue: name, playbooks: createPlaybookCatalog(database.db), limits: BENCH_LIMITS });
  const port = await freePort();
  await app.listen({ port, host: '127.0.0.1' });
  const worker = spawn(process.execPath, [...workerArgs, '--import', 'tsx', 'runtime/worker.main.ts'], {
    cwd: root,
    env: { ...process.env, TEMPORAL_ADDRESS: server.address, DATABASE_URL: url, IRFLOW_TASK_QUEUE: name, LOG_LEVEL: 'error' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const exited = new Promise((resolve) => worker.once('exit', resolve));
  await polling(worker);
  return {
    api: `http://127.0.0.1:${port}`,
    token: TOKEN,
    client,
    database,
    app,
    worker,
    temporalAddress: server.address,
    temporalPid: server.process.pid!,
    async close() {
      worker.kill('SIGINT');
      await exited;
      await app.close();
      await connection.close();
      await drop();
      await server.stop();
    },
  };
}
