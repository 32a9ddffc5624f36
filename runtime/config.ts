/** Settings from the environment, with the defaults of the design. */
import { resolve } from 'node:path';
import { TASK_QUEUE } from '../workflows/incident.messages.js';

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  adminToken?: string;
  temporalDevPort: number;
  temporalUiPort: number;
  /** An existing Temporal server; when absent, `npm start` runs a dev server. */
  temporalAddress?: string;
  temporalNamespace: string;
  /** A Postgres server; when absent, the embedded PGlite under the data folder. */
  databaseUrl?: string;
  taskQueue: string;
  /** Cost of an hour of response work, for the KPIs' and reports' cost figures; unset: no cost. */
  hourlyRate?: number;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

function port(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0 || value > 65535) throw new ConfigError(`${name}=${raw} is not a port number`);
  return value;
}

function hourlyRate(env: NodeJS.ProcessEnv): number | undefined {
  const raw = env.IRFLOW_HOURLY_RATE;
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) throw new ConfigError(`IRFLOW_HOURLY_RATE=${raw} is not a non-negative number`);
  return value;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  return {
    port: port(env, 'PORT', 3000),
    host: env.HOST || '0.0.0.0',
    dataDir: resolve(env.IRFLOW_DATA_DIR || './data'),
    adminToken: env.IRFLOW_ADMIN_TOKEN || undefined,
    temporalDevPort: port(env, 'TEMPORAL_DEV_PORT', 7233),
    temporalUiPort: port(env, 'TEMPORAL_UI_PORT', 8233),
    temporalAddress: env.TEMPORAL_ADDRESS || undefined,
    temporalNamespace: env.TEMPORAL_NAMESPACE || 'default',
    databaseUrl: env.DATABASE_URL || undefined,
    taskQueue: env.IRFLOW_TASK_QUEUE || TASK_QUEUE,
    hourlyRate: hourlyRate(env),
  };
}
