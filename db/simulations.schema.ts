/**
 * Staffing forecasts as they run: one row a run, so any API process answers a poll for a run
 * another started; `heartbeat_at` moves with its progress, so a run whose process stopped is seen.
 */
import { sql } from 'drizzle-orm';
import { index, jsonb, pgTable, real, text, timestamp, uuid } from 'drizzle-orm/pg-core';

const at = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

export const simulationRuns = pgTable(
  'simulation_runs',
  {
    id: uuid('id').primaryKey(),
    status: text('status').notNull(),
    progress: real('progress').notNull().default(0),
    startedAt: at('started_at').notNull().default(sql`now()`),
    heartbeatAt: at('heartbeat_at').notNull().default(sql`now()`),
    finishedAt: at('finished_at'),
    /** The forecast, once done. */
    forecast: jsonb('forecast'),
    error: text('error'),
  },
  (t) => [index('simulation_runs_started_at_idx').on(t.startedAt)],
);
