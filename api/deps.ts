/** What the API needs from the world, handed to `buildApp` (tests pass real parts, never globals). */
import type { Client } from '@temporalio/client';
import type { Registry } from 'prom-client';
import type { AbuseLimits } from './abuse-limits.js';
import type { EgressPolicy } from '../activities/egress.js';
import type { KeyRing } from '../db/chain-signing.js';
import type { Checkpoint } from '../db/checkpoints.repo.js';
import type { Database } from '../db/client.js';
import type { NormalisedAlert } from '../machines/alert.js';
import type { OidcVerifier } from './oidc.js';
import type { EvidenceStore } from '../runtime/evidence-store.js';
import type { PinnedPlaybook } from '../machines/playbook.types.js';

export interface PlaybookCatalog {
  /** Routes many alerts with one read of the playbooks (a batch). */
  router(): Promise<(alert: NormalisedAlert) => PinnedPlaybook>;
  /** The latest version of a playbook, by id. */
  latest(id: string): Promise<PinnedPlaybook | undefined>;
}

/** Replays a workflow history (Temporal's JSON form) against today's workflow code. */
export type Replayer = ((historyJson: unknown, workflowId: string) => Promise<{ deterministic: boolean; error?: string }>) & {
  /** Stops what the replayer keeps running; called when the app closes. */
  close?: () => Promise<void>;
};

/** Makes a checkpoint now (and hands it to the configured sink); none when nothing moved. */
export interface CheckpointMaker {
  make(): Promise<Checkpoint | undefined>;
}

export interface ApiDeps {
  /** Needed by `POST /v1/incidents/:id/replay`; without it that route answers 503. */
  replayer?: Replayer;
  db: Database;
  temporal: Client;
  taskQueue: string;
  playbooks: PlaybookCatalog;
  /** How long an alert request waits for delivery before answering with the rest queued (3 s). */
  deliveryBudgetMs?: number;
  /** How often queued alerts are redelivered (2 s). */
  redeliveryEveryMs?: number;
  /** Undelivered alerts beyond which intake answers 503 (50,000: Temporal down for long). */
  maxQueuedAlerts?: number;
  /** How long a command waits for its incident before answering 503 (IRFLOW_UPDATE_DEADLINE_MS; 15 s). */
  updateDeadlineMs?: number;
  /** IRFLOW_HOURLY_RATE: cost of an hour of response work; without it no cost figures. */
  hourlyRate?: number;
  /** The Prometheus registry `GET /metrics` answers (shared with an in-process worker); a new one by default. */
  metrics?: Registry;
  /** How long `GET /metrics` keeps the series it reads from the database (IRFLOW_METRICS_CACHE_MS; 15 s). */
  metricsCacheMs?: number;
  /** Where channels may point (IRFLOW_EGRESS_ALLOW of this process by default). */
  egress?: EgressPolicy;
  /** Rate and in-flight limits (abuse-limits.ts); the defaults where not given. */
  limits?: Partial<AbuseLimits>;
  /** irflow's signing keys: verify checks chain heads with them, exports are sealed with the current one. */
  keyRing?: KeyRing;
  /** Where `POST /v1/audit/checkpoints` makes checkpoints (runtime/checkpoint-sink.ts); without it, in the database only. */
  checkpoints?: CheckpointMaker;
  /** The built console to serve at `/` (default console/dist). */
  consoleDist?: string;
  /** Where evidence files are kept (runtime/evidence-store.ts); without it evidence uploads answer 503. */
  evidence?: EvidenceStore;
  /** Single sign-on (IRFLOW_OIDC_*): OIDC access tokens are taken besides API keys. */
  oidc?: OidcVerifier;
  /** Where `IRFLOW_SECRET_*` variables are read (alert signatures): this process's environment by default. */
  secrets?: NodeJS.ProcessEnv;
  /** How long a request may take to arrive whole before it is cut off (IRFLOW_REQUEST_TIMEOUT_MS; 120 s). */
  requestTimeoutMs?: number;
  /** Fastify logger setting: `false` in tests, pino options in production. */
  logger?: boolean | object;
}
