/**
 * Checkpoints on a schedule, handed to the outside world: every IRFLOW_CHECKPOINT_MINUTES (60; 0
 * turns them off) a process that serves the API makes a checkpoint of what moved and writes it,
 * whole, to IRFLOW_CHECKPOINT_DIR (`<data folder>/checkpoints`) as `checkpoint-<seq>.json`, a new
 * file each time that is never overwritten - point it at storage that only appends (a WORM
 * bucket, a separate host's mount) and out of the database administrators' reach.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CheckpointMaker } from '../api/deps.js';
import { createCheckpoint, type Checkpoint } from '../db/checkpoints.repo.js';
import type { SigningKey } from '../db/chain-signing.js';
import type { Database } from '../db/client.js';

export interface CheckpointSettings {
  everyMs: number;
  dir: string;
}

export function checkpointSettings(dataDir: string, env: NodeJS.ProcessEnv = process.env): CheckpointSettings {
  const minutes = env.IRFLOW_CHECKPOINT_MINUTES === undefined || env.IRFLOW_CHECKPOINT_MINUTES === '' ? 60 : Number(env.IRFLOW_CHECKPOINT_MINUTES);
  if (!Number.isFinite(minutes) || minutes < 0) throw new Error(`IRFLOW_CHECKPOINT_MINUTES=${env.IRFLOW_CHECKPOINT_MINUTES} is not a number of minutes`);
  return { everyMs: minutes * 60_000, dir: env.IRFLOW_CHECKPOINT_DIR || join(dataDir, 'checkpoints') };
}

/** Writes a checkpoint to the folder as a new file; one that exists already is never replaced. */
export function writeCheckpointFile(dir: string, checkpoint: Checkpoint): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `checkpoint-${String(checkpoint.seq).padStart(8, '0')}.json`);
  writeFileSync(file, `${JSON.stringify(checkpoint, null, 1)}\n`, { flag: 'wx', mode: 0o444 });
  return file;
}

/** Makes checkpoints into the sink; `start` runs them on the schedule until `stop`. */
export function checkpointMaker(db: Database, signer: SigningKey | undefined, settings: CheckpointSettings, log: (line: string) => void): CheckpointMaker & { start(): () => void } {
  const make = async () => {
    const checkpoint = await createCheckpoint(db, signer);
    if (checkpoint) log(`checkpoint ${checkpoint.seq}: ${checkpoint.heads.length} heads, root ${checkpoint.root} -> ${writeCheckpointFile(settings.dir, checkpoint)}`);
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
