/** Staffing forecast runs as stored (db/simulations.schema.ts): started, moved on, finished, read, forgotten. */
import { and, eq, lt, ne, or } from 'drizzle-orm';
import type { StaffingForecast } from '../machines/staffing.forecast.js';
import type { Database } from './client.js';
import { simulationRuns } from './simulations.schema.js';

export interface StoredRun {
  id: string;
  status: 'running' | 'done' | 'failed';
  progress: number;
  startedAt: string;
  heartbeatAt: string;
  finishedAt?: string;
  forecast?: StaffingForecast;
  error?: string;
}

export async function insertRun(db: Database, id: string, startedAt: Date): Promise<void> {
  await db.insert(simulationRuns).values({ id, status: 'running', progress: 0, startedAt, heartbeatAt: startedAt });
}

/** A running run's progress (0-1), and that its process is alive. */
export async function beatRun(db: Database, id: string, progress: number): Promise<void> {
  await db.update(simulationRuns).set({ progress, heartbeatAt: new Date() }).where(and(eq(simulationRuns.id, id), eq(simulationRuns.status, 'running')));
}

export async function finishRun(db: Database, id: string, outcome: { forecast: StaffingForecast } | { error: string }): Promise<void> {
  const values = 'forecast' in outcome ? { status: 'done', progress: 1, forecast: outcome.forecast } : { status: 'failed', error: outcome.error.slice(0, 2000) };
  await db.update(simulationRuns).set({ ...values, finishedAt: new Date(), heartbeatAt: new Date() }).where(eq(simulationRuns.id, id));
}

export async function findRun(db: Database, id: string): Promise<StoredRun | undefined> {
  const [row] = await db.select().from(simulationRuns).where(eq(simulationRuns.id, id));
  if (!row) return undefined;
  return {
    id: row.id,
    status: row.status as StoredRun['status'],
    progress: Math.round(row.progress * 1000) / 1000,
    startedAt: row.startedAt.toISOString(),
    heartbeatAt: row.heartbeatAt.toISOString(),
    ...(row.finishedAt ? { finishedAt: row.finishedAt.toISOString() } : {}),
    ...(row.forecast ? { forecast: row.forecast as StaffingForecast } : {}),
    ...(row.error ? { error: row.error } : {}),
  };
}

/** Forgets runs started before `before` that have finished, or whose process stopped beating before it. */
export async function forgetRuns(db: Database, before: Date): Promise<void> {
  await db.delete(simulationRuns).where(and(lt(simulationRuns.startedAt, before), or(ne(simulationRuns.status, 'running'), lt(simulationRuns.heartbeatAt, before))));
}
