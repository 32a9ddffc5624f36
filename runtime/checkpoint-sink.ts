/**
 * Checkpoints on a schedule, handed to the outside world: every IRFLOW_CHECKPOINT_MINUTES (60; 0
 * turns them off) a process that serves the API makes a checkpoint of what moved and writes it,
 * whole, to IRFLOW_CHECKPOINT_DIR (`<data folder>/checkpoints`) as `checkpoint-<seq>.json`, a new
 * file each time that is never overwritten - point it at storage that only appends (a WORM
 * bucket, a separate host's mount) and out of the database administrators' reach. With
 * IRFLOW_CHECKPOINT_WEBHOOK_URL each is also posted there, signed the Standard Webhooks way with
 * the secret in the IRFLOW_SECRET_* variable IRFLOW_CHECKPOINT_WEBHOOK_SECRET_ENV names, within
 * the egress policy; one that could not be delivered is posted again with the next.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { egressPolicy, guardedFetch, redactedUrl, refusedUrl } from '../activities/egress.js';
import { SECRET_ENV_PATTERN, webhookHeaders } from '../activities/notify.activities.js';
import type { CheckpointMaker } from '../api/deps.js';
import { createCheckpoint, type Checkpoint } from '../db/checkpoints.repo.js';
import type { SigningKey } from '../db/chain-signing.js';
import type { Database } from '../db/client.js';

export interface CheckpointSettings {
  everyMs: number;
  dir: string;
  webhook?: { url: string; secret: string; env: NodeJS.ProcessEnv };
}

function webhookSettings(env: NodeJS.ProcessEnv): CheckpointSettings['webhook'] {
  const url = env.IRFLOW_CHECKPOINT_WEBHOOK_URL;
  if (!url) return undefined;
  const secretEnv = env.IRFLOW_CHECKPOINT_WEBHOOK_SECRET_ENV ?? '';
  if (!new RegExp(SECRET_ENV_PATTERN).test(secretEnv)) throw new Error('IRFLOW_CHECKPOINT_WEBHOOK_SECRET_ENV must name an IRFLOW_SECRET_* variable with the signing secret');
  const secret = env[secretEnv];
  if (!secret) throw new Error(`${secretEnv} (the checkpoint webhook's secret) is not set`);
  const refusal = refusedUrl(url, egressPolicy(env));
  if (refusal) throw new Error(`IRFLOW_CHECKPOINT_WEBHOOK_URL: ${refusal}`);
  return { url, secret, env };
}

export function checkpointSettings(dataDir: string, env: NodeJS.ProcessEnv = process.env): CheckpointSettings {
  const minutes = env.IRFLOW_CHECKPOINT_MINUTES === undefined || env.IRFLOW_CHECKPOINT_MINUTES === '' ? 60 : Number(env.IRFLOW_CHECKPOINT_MINUTES);
  if (!Number.isFinite(minutes) || minutes < 0) throw new Error(`IRFLOW_CHECKPOINT_MINUTES=${env.IRFLOW_CHECKPOINT_MINUTES} is not a number of minutes`);
  const webhook = webhookSettings(env);
  return { everyMs: minutes * 60_000, dir: env.IRFLOW_CHECKPOINT_DIR || join(dataDir, 'checkpoints'), ...(webhook ? { webhook } : {}) };
}

/** Writes a checkpoint to the folder as a new file; one that exists already is never replaced. */
export function writeCheckpointFile(dir: string, checkpoint: Checkpoint): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `checkpoint-${String(checkpoint.seq).padStart(8, '0')}.json`);
  writeFileSync(file, `${JSON.stringify(checkpoint, null, 1)}\n`, { flag: 'wx', mode: 0o444 });
  return file;
}

/** Posts a checkpoint, signed; throws unless the receiver answers 2xx. */
function webhookPoster(webhook: NonNullable<CheckpointSettings['webhook']>): (checkpoint: Checkpoint) => Promise<void> {
  const send = guardedFetch(egressPolicy(webhook.env));
  return async (checkpoint) => {
    const body = JSON.stringify(checkpoint);
    const headers = { 'content-type': 'application/json', ...webhookHeaders(webhook.secret, `checkpoint-${checkpoint.seq}`, new Date(), body) };
    const response = await send(webhook.url, { method: 'POST', headers, body, signal: AbortSignal.timeout(10_000) });
    if (!response.ok) throw new Error(`${redactedUrl(webhook.url)} answered ${response.status}`);
  };
}

/** Makes checkpoints into the sink; `start` runs them on the schedule until `stop`. */
export function checkpointMaker(db: Database, signer: SigningKey | undefined, settings: CheckpointSettings, log: (line: string) => void): CheckpointMaker & { start(): () => void } {
  const post = settings.webhook ? webhookPoster(settings.webhook) : undefined;
  const undelivered: Checkpoint[] = [];
  const deliver = async () => {
    while (post && undelivered.length > 0) {
      const next = undelivered[0]!;
      try {
        await post(next);
        undelivered.shift();
      } catch (error) {
        log(`checkpoint ${next.seq} not delivered to the webhook (${error instanceof Error ? error.message : String(error)}); posted again with the next`);
        return;
      }
    }
  };
  const make = async () => {
    const checkpoint = await createCheckpoint(db, signer);
    if (checkpoint) {
      log(`checkpoint ${checkpoint.seq}: ${checkpoint.heads.length} heads, root ${checkpoint.root} -> ${writeCheckpointFile(settings.dir, checkpoint)}`);
      if (post) undelivered.push(checkpoint);
    }
    await deliver();
    return checkpoint;
  };
  return {
    make,
    start() {
      if (settings.everyMs === 0) return () => undefined;
      const timer = setInterval(() => void make().catch((error: unknown) => log(`checkpoint failed: ${String(error)}`)), settings.everyMs);
      timer.unref();
      return () => clearInterval(timer);
    },
  };
}
