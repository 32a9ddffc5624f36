/**
 * Staffing forecasts run on worker threads, as many as there are cores, never on the API's event loop; a
 * run is kept (in this API process, for an hour) so a long one can be polled by its id.
 */
import { randomUUID } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { smallestMeeting, type ForecastRequest, type StaffingForecast } from '../machines/staffing.forecast.js';
import type { StaffingModel } from '../machines/staffing.model.js';

export interface SimulationRun {
  id: string;
  status: 'running' | 'done' | 'failed';
  progress: number;
  startedAt: string;
  forecast?: StaffingForecast;
  error?: string;
}

const KEPT_MS = 3600_000;

export function createSimulationRuns() {
  const runs = new Map<string, SimulationRun>();
  const forget = () => {
    const before = Date.now() - KEPT_MS;
    for (const [id, run] of runs) if (run.status !== 'running' && Date.parse(run.startedAt) < before) runs.delete(id);
  };

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
   * Starts a forecast, its levels shared out over as many threads as the machine has cores (each
   * level runs on the same seeds wherever it runs, so the answer is the same); `finished` settles
   * when it is done or has failed.
   */
  function start(model: StaffingModel, request: ForecastRequest): { run: SimulationRun; finished: Promise<SimulationRun> } {
    forget();
    const run: SimulationRun = { id: randomUUID(), status: 'running', progress: 0, startedAt: new Date().toISOString() };
    runs.set(run.id, run);
    const threads = Math.max(1, Math.min(availableParallelism(), request.analysts.length));
    const shares = Array.from({ length: threads }, (_, t) => request.analysts.filter((_a, i) => i % threads === t));
    const progress = shares.map(() => 0);
    const finished = Promise.all(
      shares.map((analysts, t) =>
        thread(model, { ...request, analysts }, (share) => {
          progress[t] = share * analysts.length;
          run.progress = Math.round((progress.reduce((a, b) => a + b, 0) / request.analysts.length) * 1000) / 1000;
        }),
      ),
    ).then(
      (parts) => {
        const byAnalysts = new Map(parts.flat().map((level) => [level.analysts, level]));
        const levels = request.analysts.map((analysts) => byAnalysts.get(analysts)!);
        return Object.assign(run, { status: 'done', progress: 1, forecast: { levels, ...smallestMeeting(levels, request.target) } });
      },
      (error: unknown) => Object.assign(run, { status: 'failed', error: error instanceof Error ? error.message : String(error) }),
    );
    return { run, finished };
  }

  return { start, get: (id: string) => runs.get(id) };
}

export type SimulationRuns = ReturnType<typeof createSimulationRuns>;
