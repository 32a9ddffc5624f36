/** `GET /v1/kpis` (JSON or CSV) and `GET /v1/kpis/definitions`: the measured service, defined. */
import type { FastifyInstance } from 'fastify';
import type { Database } from '../../db/client.js';
import { kpisByGroup, type KpiGroup } from '../../db/kpis.reads.js';
import { DURATION_KEYS, GROUP_BY, GROUP_BY_DEFINITIONS, KPI_DEFINITIONS, RATE_KEYS, WINDOW_DEFINITION, type GroupBy } from '../../machines/kpi.definitions.js';
import { sendCsv, toCsv, wantsCsv } from '../csv.js';
import { parseWindow, windowQuery } from '../report-window.js';
import { authProblems, jsonOrCsv, problem } from '../schemas.js';

const FIGURE_PARTS = ['mean', 'median', 'p90', 'n'] as const;
const nullableNumber = { type: ['number', 'null'] } as const;
const durationFigure = { type: 'object', properties: { mean: nullableNumber, median: nullableNumber, p90: nullableNumber, n: { type: 'integer' } } } as const;

const kpiAnswer = {
  type: 'object',
  properties: {
    from: { type: 'string' },
    to: { type: 'string' },
    groupBy: { type: 'string' },
    groups: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          key: { type: ['string', 'null'] },
          count: { type: 'integer' },
          durations: { type: 'object', additionalProperties: durationFigure },
          rates: { type: 'object', additionalProperties: nullableNumber },
          effort: { type: 'object', properties: { minutes: { type: 'number' }, cost: { type: 'number' } } },
        },
      },
    },
  },
} as const;

/** One CSV row per group: every duration as mean/median/p90/n columns, then rates and effort. */
export function kpiCsv(groups: KpiGroup[]): string {
  const stages = [...new Set(groups.flatMap((g) => Object.keys(g.durations).filter((k) => k.startsWith('stage:'))))].sort();
  const durations = [...DURATION_KEYS, ...stages, 'approval'];
  const header = ['key', 'count', ...durations.flatMap((d) => FIGURE_PARTS.map((p) => `${d}.${p}`)), ...RATE_KEYS, 'effort.minutes', 'effort.cost'];
  const rows = groups.map((g) => [
    g.key,
    g.count,
    ...durations.flatMap((d) => FIGURE_PARTS.map((p) => g.durations[d]?.[p] ?? (p === 'n' ? 0 : null))),
    ...RATE_KEYS.map((r) => g.rates[r]),
    g.effort.minutes,
    g.effort.cost,
  ]);
  return toCsv(header, rows);
}

export function kpiRoutes(app: FastifyInstance, db: Database, hourlyRate?: number): void {
  app.get<{ Querystring: { from?: string; to?: string; groupBy: GroupBy } }>(
    '/v1/kpis',
    {
      schema: {
        tags: ['kpis'],
        summary: 'KPIs per group over incidents created in [from, to); CSV with Accept: text/csv',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { ...windowQuery, groupBy: { type: 'string', enum: [...GROUP_BY], default: 'businessUnit' } },
        },
        response: { 200: jsonOrCsv(kpiAnswer), ...authProblems, 400: problem },
      },
    },
    async (request, reply) => {
      const window = parseWindow(request.query);
      const groups = await kpisByGroup(db, request.query.groupBy, window, hourlyRate);
      if (wantsCsv(request)) return sendCsv(reply, `kpis-${request.query.groupBy}`, kpiCsv(groups));
      return { from: window.from.toISOString(), to: window.to.toISOString(), groupBy: request.query.groupBy, groups };
    },
  );

  const definitions = { type: 'object', additionalProperties: true, properties: { window: {}, groupBy: {}, kpis: {}, hourlyRate: { type: ['number', 'null'] } } } as const;
  app.get('/v1/kpis/definitions', { schema: { tags: ['kpis'], summary: 'What every KPI means, in words', response: { 200: definitions, ...authProblems } } }, async () => ({
    window: WINDOW_DEFINITION,
    groupBy: GROUP_BY_DEFINITIONS,
    kpis: KPI_DEFINITIONS,
    hourlyRate: hourlyRate ?? null,
  }));
}
