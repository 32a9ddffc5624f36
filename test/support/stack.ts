/**
 * The whole service for an integration test file, from real parts: a Temporal dev server, a
 * Postgres database (PGlite where no server is configured), an in-process worker and the API
 * app, called through `app.inject()`. One task queue per stack.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Runtime, type Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { Registry } from 'prom-client';
import { contextConnectors } from '../../activities/context/connectors.js';
import { egressPolicy } from '../../activities/egress.js';
import { buildApp } from '../../api/app.js';
import { createPlaybookCatalog } from '../../api/playbook-catalog.js';
import { createApiKey, seedAdminToken, type Role } from '../../db/api-keys.repo.js';
import type { AbuseLimits } from '../../api/abuse-limits.js';
import type { OidcVerifier } from '../../api/oidc.js';
import type { KeyRing } from '../../db/chain-signing.js';
import { keyFiles, loadKeyRing } from '../../runtime/signing-keys.js';
import type { DevServer } from '../../runtime/dev-server.js';
import { createReplayer } from '../../runtime/replayer.js';
import { loadShippedPlaybooks } from '../../runtime/shipped-playbooks.js';
import { WORKFLOWS_PATH, createIncidentWorker } from '../../runtime/worker.js';
import { openTestDatabase, type TestDatabase } from './database.js';
import { fileEvidenceStore, type EvidenceStore } from '../../runtime/evidence-store.js';
import { startTestTemporal } from './temporal.js';
import { startTimeSkippingTemporal, type TimeSkippingTemporal } from './time-skipping.js';

let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;
let runtimeInstalled = false;

/** Worker logs at WARN: the test output stays readable. Must run before any worker connection. */
function quietRuntime(): void {
  if (runtimeInstalled) return;
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  runtimeInstalled = true;
}

/** The workflow bundle, built once per test file. */
export function workflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  quietRuntime();
  bundle ??= bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: new DefaultLogger('ERROR') });
  return bundle;
}

export interface Response<T = any> {
  status: number;
  body: T;
  headers: Record<string, unknown>;
}

export interface Stack {
  /** The dev server (not in time-skipping stacks). */
  temporal: DevServer;
  /** The time-skipping server, in stacks started with `timeSkipping`. */
  timeSkipping?: TimeSkippingTemporal;
  database: TestDatabase;
  app: FastifyInstance;
  client: Client;
  taskQueue: string;
  adminToken: string;
  /** The stack's signing keys (made for it, in a folder of its own). */
  keyRing: KeyRing;
  /** IRFLOW_SIGNING_KEY_FILE for a worker process of this stack. */
  signingEnv: NodeJS.ProcessEnv;
  /** The API's evidence store: a folder of the stack's own unless the options gave one. */
  evidence: EvidenceStore;
  startWorker(): Promise<void>;
  stopWorker(): Promise<void>;
  /** A new API key with these roles; returns its token. */
  token(roles: Role[], name?: string): Promise<string>;
  call<T = any>(method: InjectOptions['method'], url: string, token: string, body?: unknown, headers?: Record<string, string>): Promise<Response<T>>;
  /** Stops the Temporal server and starts it again on its data file and port. */
  restartTemporal(): Promise<void>;
  close(): Promise<void>;
}

/** Tests' receivers and connector services listen on loopback: allowed, as an operator would. */
const LOOPBACK_ALLOWED = { IRFLOW_EGRESS_ALLOW: '127.0.0.1,::1,localhost' };

export interface StackOptions {
  /** Environment the worker's context connectors are configured from (HTTP connectors). */
  connectorEnv?: NodeJS.ProcessEnv;
  /** Environment for the worker's notification channel secrets. */
  workerEnv?: NodeJS.ProcessEnv;
  /** Start the worker in this process (default true); false when a test runs it elsewhere. */
  worker?: boolean;
  temporal?: Parameters<typeof startTestTemporal>[0];
  /** Run on Temporal's time-skipping test server instead of a dev server (timers fire on `skip`). */
  timeSkipping?: boolean;
  /** IRFLOW_HOURLY_RATE as the API is given it. */
  hourlyRate?: number;
  /** How long the API waits for an incident's answer before a 503 (default 120 s in tests). */
  updateDeadlineMs?: number;
  /** How long an alert request waits for delivery before answering queued (default 120 s in tests). */
  deliveryBudgetMs?: number;
  /** How often queued alerts are redelivered (default 2 s). */
  redeliveryEveryMs?: number;
  /** Undelivered alerts beyond which intake answers 503 (default 50,000). */
  maxQueuedAlerts?: number;
  /** The API's logger options (default: no log), e.g. `{ level: 'info', stream }` to read its lines. */
  logger?: object;
  /** Rate and in-flight limits (default: out of any test's reach). */
  limits?: Partial<AbuseLimits>;
  /** Single sign-on, verified against a test provider. */
  oidc?: OidcVerifier;
  /** The API's `IRFLOW_SECRET_*` variables (alert signatures). */
  secrets?: NodeJS.ProcessEnv;
  /** Where the API keeps evidence (default: a folder of the stack's own). */
  evidence?: EvidenceStore;
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  quietRuntime();
  const taskQueue = `irflow-test-${randomBytes(4).toString('hex')}`;
  const timeSkipping = options.timeSkipping ? await startTimeSkippingTemporal() : undefined;
  let temporal = timeSkipping ? undefined : await startTestTemporal(options.temporal);
  const server: { address: string; stop(): Promise<void> } = timeSkipping ?? temporal!;
  const database = await openTestDatabase().catch(async (error: unknown) => {
    await server.stop();
    throw error;
  });
  await loadShippedPlaybooks(database.db);
  const adminToken = `irf_admin_${randomBytes(8).toString('hex')}`;
  await seedAdminToken(database.db, adminToken);

  const connection = await Connection.connect({ address: server.address });
  const client = new Client({ connection });
  // The stack's signing key, in files of its own: a worker in another process signs with it too.
  const signingDir = mkdtempSync(join(tmpdir(), 'irflow-keys-'));
  const keyRing = loadKeyRing(signingDir, {}).ring;
  const signingEnv = { IRFLOW_SIGNING_KEY_FILE: keyFiles(signingDir, {}).privateKey };
  const metrics = new Registry();
  const evidence = options.evidence ?? fileEvidenceStore(mkdtempSync(join(tmpdir(), 'irflow-evidence-')));
  const app = await buildApp({
    metrics,
    db: database.db,
    temporal: client,
    taskQueue,
    playbooks: createPlaybookCatalog(database.db),
    replayer: createReplayer({ workflowBundle }),
    ...(options.hourlyRate !== undefined ? { hourlyRate: options.hourlyRate } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
    // Tests kill and restart workers and servers: commands wait long unless a test asks otherwise.
    updateDeadlineMs: options.updateDeadlineMs ?? 120_000,
    // Tests send far more requests a minute than a person; the limits have their own test.
    limits: options.limits ?? { perWindow: 1_000_000, ingestPerWindow: 1_000_000, inFlightPerToken: 10_000 },
    // Tests read what they just did: no caching of the database-backed metrics.
    metricsCacheMs: 0,
    egress: egressPolicy(LOOPBACK_ALLOWED),
    deliveryBudgetMs: options.deliveryBudgetMs ?? 120_000,
    ...(options.redeliveryEveryMs !== undefined ? { redeliveryEveryMs: options.redeliveryEveryMs } : {}),
    ...(options.maxQueuedAlerts !== undefined ? { maxQueuedAlerts: options.maxQueuedAlerts } : {}),
    ...(options.oidc ? { oidc: options.oidc } : {}),
    keyRing,
    evidence,
    ...(options.secrets ? { secrets: options.secrets } : {}),
  });

  let worker: { instance: Worker; run: Promise<void>; connection: NativeConnection } | undefined;

  const stack: Stack = {
    get temporal() {
      if (!temporal) throw new Error('this stack runs on the time-skipping server');
      return temporal;
    },
    timeSkipping,
    database,
    app,
    client,
    taskQueue,
    adminToken,
    keyRing,
    signingEnv,
    evidence,
    async startWorker() {
      if (worker) return;
      const workerConnection = await NativeConnection.connect({ address: server.address });
      const instance = await createIncidentWorker({
        connection: workerConnection,
        namespace: 'default',
        taskQueue,
        db: database.db,
        workflowBundle: await workflowBundle(),
        connectors: contextConnectors(database.db, { ...LOOPBACK_ALLOWED, ...options.connectorEnv }),
        env: { ...LOOPBACK_ALLOWED, ...options.workerEnv },
        shutdownGraceTime: '2 seconds',
        metrics,
        signer: keyRing.signer,
      });
      worker = { instance, run: instance.run(), connection: workerConnection };
    },
    async stopWorker() {
      if (!worker) return;
      const { instance, run, connection: workerConnection } = worker;
      worker = undefined;
      if (instance.getState() === 'RUNNING') instance.shutdown();
      await run.catch(() => undefined);
      await workerConnection.close();
    },
    async token(roles, name = `${roles.join('+')}-${randomBytes(3).toString('hex')}`) {
      return (await createApiKey(database.db, name, roles)).token;
    },
    async call(method, url, token, body, headers = {}) {
      const response = await app.inject({
        method,
        url,
        headers: { authorization: `Bearer ${token}`, ...headers },
        ...(body === undefined ? {} : { payload: body as InjectOptions['payload'] }),
      });
      const text = response.body;
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        // not JSON: keep the text
      }
      return { status: response.statusCode, body: parsed as any, headers: response.headers };
    },
    async restartTemporal() {
      if (!temporal?.options.dbFile) throw new Error('restartTemporal needs a stack started with temporal.dbFile');
      await temporal.stop();
      // Same port and data file: clients and workers reconnect on their own.
      temporal = await startTestTemporal(temporal.options);
    },
    async close() {
      await stack.stopWorker();
      await app.close();
      await connection.close().catch(() => undefined);
      await (temporal ?? server).stop();
      await database.close();
      rmSync(signingDir, { recursive: true, force: true });
    },
  };
  if (options.worker !== false) await stack.startWorker();
  return stack;
}
