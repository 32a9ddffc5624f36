/** The incident worker: the workflow bundle plus activities built from their dependencies. */
import { fileURLToPath } from 'node:url';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createContextActivities } from '../activities/context.activities.js';
import type { ConnectorSet } from '../activities/context/connector.js';
import { contextConnectors } from '../activities/context/connectors.js';
import { createIncidentActivities } from '../activities/incident.activities.js';
import { createNotifyActivities } from '../activities/notify.activities.js';
import type { Database } from '../db/client.js';

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
}

export async function createIncidentWorker(options: IncidentWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    ...(options.workflowBundle ? { workflowBundle: options.workflowBundle } : { workflowsPath: WORKFLOWS_PATH }),
    activities: {
      ...createIncidentActivities({ db: options.db }),
      ...createContextActivities(options.connectors ?? contextConnectors(options.db)),
      ...createNotifyActivities({ db: options.db, env: options.env, publicUrl: options.env?.IRFLOW_PUBLIC_URL ?? process.env.IRFLOW_PUBLIC_URL }),
    },
    shutdownGraceTime: options.shutdownGraceTime ?? '10 seconds',
  });
}

export { NativeConnection };
