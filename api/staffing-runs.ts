/**
 * Staffing forecasts run on worker threads, as many as there are cores, never on the API's event
 * loop. Each run is stored (db/simulation-runs.repo.ts) as it starts, moves on and ends, so a long
 * one can be polled by its id at any API process; a run whose process stopped beating is
 * answered as failed. Runs are kept a day.
 */
import { randomUUID } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { Database } from '../db/client.js';
import { beatRun, findRun, finishRun, forgetRuns, insertRun, type StoredRun } from '../db/simulation-runs.repo.js';
import { smallestMeeting, type ForecastRequest, type StaffingForecast } from '../machines/staffing.forecast.js';
import type { StaffingModel } from '../machines/staffing.model.js';

export type SimulationRun = Omit<StoredRun, 'heartbeatAt'>;

const KEPT_MS = 86_400_000;
/** How often a running run's row is told it is alive (with its progress). */
export const HEARTBEAT_MS = 5_000;
/** A running run not heard of for this long: its API process stopped. */
const STALE_MS = 60_000;

/** One thread forecasting some of the levels; resolves with their forecasts, reports its share of progress. */
function thread(model: StaffingModel, request: ForecastRequest, onProgress: (share: number) => void): Promise<StaffingForecast['levels']> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./staffing.thread.mjs', import.meta.url), { workerData: { model, request } });
    let levels: StaffingForecast['levels'] | undefined;
    worker.on('message', (message: { progress?: number; forecast?: StaffingForecast }) => {
      if (message.progress !== undefined) onProgress(message.progress);
      if (message.forecast) levels = message.forecast.levels;
    });
    worker.on('error', reject);
    worker.on('exit', (code) => (levels ? resolve(levels) : reject(new Error(`the simulation thread exited with ${code}`))));
  });
}

/**
 * A forecast, its levels shared out over as many threads as the machine has cores (each level
 * runs on the same seeds wherever it runs, so the answer is the same); `progress` is told 0-1.
 */
export async function forecastOnThreads(model: StaffingModel, request: ForecastRequest, progress: (share: number) => void = () => undefined): Promise<StaffingForecast> {
  const threads = Math.max(1, Math.min(availableParallelism(), request.analysts.length));
  const shares = Array.from({ length: threads }, (_, t) => request.analysts.filter((_a, i) => i % threads === t));
  const done = shares.map(() => 0);
  const parts = await Promise.all(
    shares.map((analysts, t) =>
      thread(model, { ...request, analysts }, (share) => {
        done[t] = share * analysts.length;
        progress(done.reduce((a, b) => a + b, 0) / request.analysts.length);
      }),
    ),
  );
  const byAnalysts = new Map(parts.flat().map((level) => [level.analysts, level]));
  const levels = request.analysts.map((analysts) => byAnalysts.get(analysts)!);
  return { levels, ...smallestMeeting(levels, request.target) };
}

export function createSimulationRuns(db: Database) {
  /** Starts a forecast and stores it as running; `finished` settles once it is done or has failed, and stored so. */
  async function start(model: StaffingModel, request: ForecastRequest): Promise<{ run: SimulationRun; finished: Promise<SimulationRun> }> {
    await forgetRuns(db, new Date(Date.now() - KEPT_MS));
    const run: SimulationRun = { id: randomUUID(), status: 'running', progress: 0, startedAt: new Date().toISOString() };
    await insertRun(db, run.id, new Date(run.startedAt));
    const beat = setInterval(() => void beatRun(db, run.id, run.progress).catch(() => undefined), HEARTBEAT_MS);
    beat.unref();
    const finished = forecastOnThreads(model, request, (share) => (run.progress = Math.round(share * 1000) / 1000))
      .then(
        async (forecast) => {
          await finishRun(db, run.id, { forecast });
          return Object.assign(run, { status: 'done', progress: 1, forecast }) as SimulationRun;
        },
        async (error: unknown) => {
          const message = error instanceof Error ? error.message : String(error);
          await finishRun(db, run.id, { error: message }).catch(() => undefined);
          return Object.assign(run, { status: 'failed', error: message }) as SimulationRun;
        },
      )
      .finally(() => clearInterval(beat));
    return { run, finished };
  }

  /** A run as stored, whichever API process runs it; one not heard of for a minute is answered as failed. */
  async function get(id: string): Promise<SimulationRun | undefined> {
    const stored = await findRun(db, id);
    if (!stored) return undefined;
    const { heartbeatAt, ...run } = stored;
    if (run.status === 'running' && Date.now() - Date.parse(heartbeatAt) > STALE_MS) {
      return { ...run, status: 'failed', error: `the API process running it stopped before it finished (last heard of ${heartbeatAt})` };
    }
    return run;
  }

  return { start, get };
}

export type SimulationRuns = ReturnType<typeof createSimulationRuns>;
