/** The incident worker: the workflow bundle plus activities built from their dependencies. */
import { fileURLToPath } from 'node:url';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { Histogram, type Registry } from 'prom-client';
import { createRiskExceptionActivities } from '../activities/risk-exception.activities.js';
import { createDigestActivities } from '../activities/digest.activities.js';
import { createAlertActivities } from '../activities/alert.activities.js';
import { createContextActivities, type LookupObserver } from '../activities/context.activities.js';
import type { ConnectorSet } from '../activities/context/connector.js';
import { contextConnectors } from '../activities/context/connectors.js';
import { createIncidentActivities } from '../activities/incident.activities.js';
import type { SigningKey } from '../db/chain-signing.js';
import { createNotifyActivities } from '../activities/notify.activities.js';
import type { Database } from '../db/client.js';
import type { WorkerTuning } from './worker-tuning.js';

export const WORKFLOWS_PATH = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));

export interface IncidentWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  db: Database;
  /** A bundle built once (tests); by default the worker bundles `workflows/` itself. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  /** Context connectors; by default built-in ones, or HTTP where the environment configures them. */
  connectors?: ConnectorSet;
  /** Environment for channel secrets (default: the process's). */
  env?: NodeJS.ProcessEnv;
  /** Seconds to let running activities finish on shutdown. */
  shutdownGraceTime?: WorkerOptions['shutdownGraceTime'];
  /** Where enrichment lookup latency is recorded (`irflow_enrichment_lookup_duration_seconds`). */
  metrics?: Registry;
  /** The key that signs chain heads (runtime/signing-keys.ts); without it heads are unsigned. */
  signer?: SigningKey;
  /** Slots, cache and threads: `config.workerTuning` or `workerTuningFromEnv()` (runtime/worker-tuning.ts) for irflow's; without it, the SDK's defaults. */
  tuning?: WorkerTuning;
}

function lookupObserver(registry: Registry | undefined): LookupObserver | undefined {
  if (!registry) return undefined;
  // A restarted worker in the same process keeps recording into the histogram it had.
  const name = 'irflow_enrichment_lookup_duration_seconds';
  const latency =
    (registry.getSingleMetric(name) as Histogram<'kind' | 'outcome'> | undefined) ??
    new Histogram({
      name,
      help: 'Context lookup latency by kind and outcome (this worker process)',
      labelNames: ['kind', 'outcome'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    });
  return (kind, outcome, seconds) => latency.observe({ kind, outcome }, seconds);
}

/** What the incident worker is created with: the bundle, the activities, the tuning given (the SDK's defaults for the rest). */
export function incidentWorkerOptions(options: IncidentWorkerOptions): WorkerOptions {
  const notify = createNotifyActivities({ db: options.db, env: options.env, publicUrl: options.env?.IRFLOW_PUBLIC_URL ?? process.env.IRFLOW_PUBLIC_URL });
  return {
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    ...(options.workflowBundle ? { workflowBundle: options.workflowBundle } : { workflowsPath: WORKFLOWS_PATH }),
    activities: {
      ...createIncidentActivities({ db: options.db, ...(options.signer ? { signer: options.signer } : {}) }),
      ...createAlertActivities({ db: options.db }),
      ...createRiskExceptionActivities({ db: options.db, ...(options.signer ? { signer: options.signer } : {}) }),
      ...createContextActivities(options.connectors ?? contextConnectors(options.db), lookupObserver(options.metrics)),
      ...notify,
      ...createDigestActivities({ db: options.db, notify }),
    },
    shutdownGraceTime: options.shutdownGraceTime ?? '10 seconds',
    ...options.tuning,
  };
}

export function createIncidentWorker(options: IncidentWorkerOptions): Promise<Worker> {
  return Worker.create(incidentWorkerOptions(options));
}

export { NativeConnection };
