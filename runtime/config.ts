/** Settings from the environment, with the defaults of the design. */
import { join, resolve } from 'node:path';
import type { AbuseLimits } from '../api/abuse-limits.js';
import type { ApiDeps } from '../api/deps.js';
import { createOidcVerifier, oidcSettingsFromEnv, OidcSettingsError, type OidcSettings } from '../api/oidc.js';
import { TASK_QUEUE } from '../workflows/incident.messages.js';
import { fileEvidenceStore } from './evidence-store.js';
import { s3EvidenceStore, type S3EvidenceSettings } from './s3-evidence-store.js';
import { workerTuningFromEnv, WorkerTuningError, type WorkerTuning } from './worker-tuning.js';

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  /** Where evidence files are kept (IRFLOW_EVIDENCE_DIR; default `<data>/evidence`). */
  evidenceDir: string;
  /** An S3-compatible store for evidence instead of the folder (IRFLOW_EVIDENCE_S3_BUCKET and the rest). */
  evidenceS3?: S3EvidenceSettings;
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
  /** How long a command waits for its incident before a 503 (IRFLOW_UPDATE_DEADLINE_MS). */
  updateDeadlineMs?: number;
  /** How long /metrics keeps what it reads from the database (IRFLOW_METRICS_CACHE_MS). */
  metricsCacheMs?: number;
  /** Rate and in-flight limits given in the environment (api/abuse-limits.ts has the defaults). */
  limits: Partial<AbuseLimits>;
  /** Single sign-on (IRFLOW_OIDC_ISSUER, _AUDIENCE, _ROLES_CLAIM, _ROLE_MAP); unset: API keys only. */
  oidc?: OidcSettings;
  /** How long a request may take to arrive whole (IRFLOW_REQUEST_TIMEOUT_MS). */
  requestTimeoutMs?: number;
  /** The incident worker's slots, cache and threads (runtime/worker-tuning.ts): two workflow threads, else the SDK's defaults, unless set. */
  workerTuning: WorkerTuning;
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

function positive(env: NodeJS.ProcessEnv, name: string, minimum = 0): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < minimum) throw new ConfigError(`${name}=${raw} is not a number of at least ${minimum}`);
  return value;
}

function definedOnly<T extends object>(values: T): Partial<T> {
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined)) as Partial<T>;
}

/** Settings another module reads: its own error about them becomes a ConfigError with the same message. */
function readWith<T>(read: () => T, settingsError: abstract new (...args: never[]) => Error): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof settingsError) throw new ConfigError(error.message);
    throw error;
  }
}

function flag(env: NodeJS.ProcessEnv, name: string): boolean | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  throw new ConfigError(`${name}=${raw} is not true or false`);
}

/** Evidence in an S3-compatible store when IRFLOW_EVIDENCE_S3_BUCKET names a bucket; credentials: the AWS SDK's chain. */
function evidenceS3(env: NodeJS.ProcessEnv): S3EvidenceSettings | undefined {
  const bucket = env.IRFLOW_EVIDENCE_S3_BUCKET;
  if (!bucket) return undefined;
  const endpoint = env.IRFLOW_EVIDENCE_S3_ENDPOINT || undefined;
  if (endpoint && !URL.canParse(endpoint)) throw new ConfigError(`IRFLOW_EVIDENCE_S3_ENDPOINT=${endpoint} is not a URL`);
  const region = env.IRFLOW_EVIDENCE_S3_REGION || env.AWS_REGION || undefined;
  const pathStyle = flag(env, 'IRFLOW_EVIDENCE_S3_PATH_STYLE');
  return definedOnly({ bucket, prefix: env.IRFLOW_EVIDENCE_S3_PREFIX || undefined, endpoint, region, forcePathStyle: pathStyle }) as S3EvidenceSettings;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const sso = readWith(() => oidcSettingsFromEnv(env), OidcSettingsError);
  const s3 = evidenceS3(env);
  const requestTimeoutMs = positive(env, 'IRFLOW_REQUEST_TIMEOUT_MS', 1000);
  return {
    ...(sso ? { oidc: sso } : {}),
    ...(requestTimeoutMs !== undefined ? { requestTimeoutMs } : {}),
    ...(s3 ? { evidenceS3: s3 } : {}),
    port: port(env, 'PORT', 3000),
    host: env.HOST || '0.0.0.0',
    dataDir: resolve(env.IRFLOW_DATA_DIR || './data'),
    evidenceDir: resolve(env.IRFLOW_EVIDENCE_DIR || join(env.IRFLOW_DATA_DIR || './data', 'evidence')),
    adminToken: env.IRFLOW_ADMIN_TOKEN || undefined,
    temporalDevPort: port(env, 'TEMPORAL_DEV_PORT', 7233),
    temporalUiPort: port(env, 'TEMPORAL_UI_PORT', 8233),
    temporalAddress: env.TEMPORAL_ADDRESS || undefined,
    temporalNamespace: env.TEMPORAL_NAMESPACE || 'default',
    databaseUrl: env.DATABASE_URL || undefined,
    taskQueue: env.IRFLOW_TASK_QUEUE || TASK_QUEUE,
    hourlyRate: positive(env, 'IRFLOW_HOURLY_RATE'),
    updateDeadlineMs: positive(env, 'IRFLOW_UPDATE_DEADLINE_MS', 1000),
    metricsCacheMs: positive(env, 'IRFLOW_METRICS_CACHE_MS', 0),
    workerTuning: readWith(() => workerTuningFromEnv(env), WorkerTuningError),
    limits: definedOnly({
      perWindow: positive(env, 'IRFLOW_RATE_LIMIT', 1),
      ingestPerWindow: positive(env, 'IRFLOW_INGEST_RATE_LIMIT', 1),
      windowMs: positive(env, 'IRFLOW_RATE_LIMIT_WINDOW_MS', 1000),
      inFlightPerToken: positive(env, 'IRFLOW_MAX_IN_FLIGHT', 1),
    }),
  };
}

/** The API's settings from the configuration, shared by `npm start` and `npm run api`. */
export function apiSettings(config: Config): Partial<ApiDeps> {
  return definedOnly({
    hourlyRate: config.hourlyRate,
    updateDeadlineMs: config.updateDeadlineMs,
    limits: config.limits,
    metricsCacheMs: config.metricsCacheMs,
    requestTimeoutMs: config.requestTimeoutMs,
    oidc: config.oidc ? createOidcVerifier(config.oidc) : undefined,
    evidence: config.evidenceS3 ? s3EvidenceStore(config.evidenceS3) : fileEvidenceStore(config.evidenceDir),
    logger: { level: process.env.LOG_LEVEL ?? 'info' },
  });
}
