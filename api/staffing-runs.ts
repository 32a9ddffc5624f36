/**
 * Staffing forecasts run on worker threads, one a forecast, never on the API's event loop; a
 * run is kept (in this API process, for an hour) so a long one can be polled by its id.
 */
import { randomUUID } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import type { ForecastRequest, StaffingForecast } from '../machines/staffing.forecast.js';
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

  /** Starts a forecast; `finished` settles when it is done or has failed. */
  function start(model: StaffingModel, request: ForecastRequest): { run: SimulationRun; finished: Promise<SimulationRun> } {
    forget();
    const run: SimulationRun = { id: randomUUID(), status: 'running', progress: 0, startedAt: new Date().toISOString() };
    runs.set(run.id, run);
    const thread = new Worker(new URL('./staffing.thread.mjs', import.meta.url), { workerData: { model, request } });
    const finished = new Promise<SimulationRun>((resolve) => {
      thread.on('message', (message: { progress?: number; forecast?: StaffingForecast }) => {
        if (message.progress !== undefined) run.progress = Math.round(message.progress * 1000) / 1000;
        if (message.forecast) Object.assign(run, { status: 'done', progress: 1, forecast: message.forecast });
      });
      thread.on('error', (error) => Object.assign(run, { status: 'failed', error: error.message }));
      thread.on('exit', (code) => {
        if (run.status === 'running') Object.assign(run, { status: 'failed', error: `the simulation thread exited with ${code}` });
        resolve(run);
      });
    });
    return { run, finished };
  }

  return { start, get: (id: string) => runs.get(id) };
}

export type SimulationRuns = ReturnType<typeof createSimulationRuns>;
