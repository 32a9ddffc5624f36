/**
 * Staffing from the service's own history: the model as measured (GET /v1/simulations/model),
 * a forecast per staffing level (POST /v1/simulations/staffing; answered at once when it ends
 * within a few seconds, else 202 and polled at GET /v1/simulations/runs/:id; a path of its own, so
 * GET /v1/simulations/staffing is a 405, not a run named "staffing").
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { FastifyInstance } from 'fastify';
import type { Database } from '../../db/client.js';
import { measureStaffingModel, measureStaffingModelBetween, staffOnShift } from '../../db/staffing.reads.js';
import { backtestVerdict, measuredCompliance, measuredTimeInStage, type BacktestVerdict } from '../../machines/staffing.backtest.js';
import type { ForecastRequest } from '../../machines/staffing.forecast.js';
import { withWhatIf, type Duration, type StaffingWhatIf } from '../../machines/staffing.model.js';
import { quantile } from '../../machines/staffing.forecast.js';
import { PRIORITIES } from '../../machines/playbook.types.js';
import { CALENDAR_PROPERTIES } from '../../machines/playbook.schema.js';
import { dutySharesOf, nextWeekStart, shiftProblems, type Shift } from '../../machines/staffing.shifts.js';
import { problems } from '../problem.js';
import { isoTime, utcInstant } from '../time.schemas.js';
import { authProblems, problem } from '../schemas.js';
import type { SimulationRuns } from '../staffing-runs.js';

/** How long a forecast request waits for its thread before answering 202. */
const ANSWER_WITHIN_MS = 15_000;
const windowDays = { type: 'integer', minimum: 7, maximum: 730, default: 90, description: 'days of history the model is fitted to' } as const;
const windowTo = { ...isoTime, description: 'where the window ends (default now): the model as it stood then' } as const;

/** The end of the window a request names (default now); a 400 for one that names no instant. */
function windowEnd(to: string | undefined): Date {
  if (to === undefined) return new Date();
  const instant = utcInstant(to);
  if (!instant) throw problems.badRequest(`to: ${JSON.stringify(to).slice(0, 40)} names no instant in the years 1000-9999`);
  return new Date(instant);
}
const anyObject = { type: 'object', additionalProperties: true } as const;
const stageName = { type: 'string', maxLength: 64 } as const;

const staffingBody = {
  type: 'object',
  additionalProperties: false,
  required: ['analysts'],
  properties: {
    analysts: { type: 'array', minItems: 1, maxItems: 10, items: { type: 'integer', minimum: 1, maximum: 500 } },
    horizonDays: { type: 'integer', minimum: 1, maximum: 365, default: 30 },
    runs: { type: 'integer', minimum: 1, maximum: 1000, default: 200 },
    seed: { type: 'integer', minimum: 0, maximum: 2_147_483_647, default: 1 },
    windowDays,
    to: windowTo,
    target: { type: 'object', additionalProperties: false, properties: Object.fromEntries(PRIORITIES.map((p) => [p, { type: 'number', minimum: 0, maximum: 1 }])) },
    shifts: {
      type: 'array',
      minItems: 1,
      maxItems: 20,
      description: 'the shift calendar: when each level is on duty (whole, or a share of it); hours no shift covers have nobody on duty',
      items: { type: 'object', additionalProperties: false, required: ['timezone', 'days', 'from', 'to'], properties: { ...CALENDAR_PROPERTIES, share: { type: 'number', minimum: 0, maximum: 1, default: 1 } } },
    },
    whatIf: {
      type: 'object',
      additionalProperties: false,
      properties: {
        effortScale: { type: 'object', maxProperties: 50, additionalProperties: { type: 'number', minimum: 0, maximum: 10 }, description: 'stage → factor on its effort (0.6: 40 % less)' },
        removeWaiting: { type: 'array', maxItems: 50, items: stageName, description: 'stages whose waiting is removed (an approval gate taken out)' },
      },
    },
  },
} as const;

type StaffingBody = Omit<ForecastRequest, 'horizonDays' | 'runs' | 'seed' | 'dutyShares'> & { horizonDays: number; runs: number; seed: number; windowDays: number; to?: string; whatIf?: StaffingWhatIf; shifts?: Shift[] };

/** The share on duty per hour of the coming week, from the request's shifts; a 422 for shifts that cannot be. */
function dutyShares(shifts: Shift[] | undefined, now: Date): number[] | undefined {
  if (!shifts) return undefined;
  const wrong = shiftProblems(shifts);
  if (wrong.length > 0) throw problems.unprocessable('invalid-shifts', 'Shifts that cannot be simulated', wrong.join('; '));
  const shares = dutySharesOf(shifts, nextWeekStart(now));
  if (shares.every((share) => share === 0)) throw problems.unprocessable('invalid-shifts', 'Shifts that cannot be simulated', 'the shifts leave every hour of the week without anyone on duty');
  return shares;
}

/** The time-in-stage error as people read it: each stage's predicted against measured minutes. */
function timeStatement(verdict: BacktestVerdict): string {
  const { predicted, measured, error } = verdict.timeInStage;
  const stages = Object.keys(error).filter((stage) => error[stage] !== null);
  if (stages.length === 0) return 'no stage time to compare';
  return `minutes in stage, predicted against measured: ${stages.map((stage) => `${stage} ${predicted[stage]} / ${measured[stage]}`).join(', ')}`;
}

/** A stage's measured effort as people read it: how many passes, and their minutes. */
function summary(d: Duration) {
  if (d.kind !== 'empirical') return d;
  const sorted = [...d.minutes].sort((a, b) => a - b);
  const mean = sorted.reduce((a, b) => a + b, 0) / Math.max(1, sorted.length);
  return { passes: sorted.length, meanMinutes: Math.round(mean * 100) / 100, p50Minutes: Math.round(quantile(sorted, 0.5) * 100) / 100, p90Minutes: Math.round(quantile(sorted, 0.9) * 100) / 100 };
}

export function simulationRoutes(app: FastifyInstance, db: Database, runs: SimulationRuns): void {
  app.get<{ Querystring: { windowDays: number; to?: string } }>(
    '/v1/simulations/model',
    { schema: { tags: ['reports'], summary: 'The staffing model fitted to the last windowDays of history, with what was measured', querystring: { type: 'object', additionalProperties: false, properties: { windowDays, to: windowTo } }, response: { 200: anyObject, ...authProblems, 400: problem } } },
    async (request) => {
      const fitted = await measureStaffingModel(db, request.query.windowDays, windowEnd(request.query.to));
      const priorities = Object.fromEntries(
        Object.entries(fitted.model.priorities).map(([p, m]) => [p, { arrivalsPerWeek: Math.round(m!.arrivalsPerHour.reduce((a, b) => a + b, 0) * 100) / 100, arrivalsPerHour: m!.arrivalsPerHour.map((r) => Math.round(r * 1e4) / 1e4), initial: m!.initial, stages: m!.stages.map((s) => ({ ...s, effort: summary(s.effort), ...(s.waiting ? { waiting: summary(s.waiting) } : {}) })) }]),
      );
      return { window: fitted.window, measured: fitted.measured, priorities };
    },
  );

  app.post<{ Body: StaffingBody }>(
    '/v1/simulations/staffing',
    { schema: { tags: ['reports'], summary: 'Forecast SLA compliance, waits, utilisation and backlog per staffing level, simulated on the measured model', body: staffingBody, response: { 200: anyObject, 202: anyObject, ...authProblems, 422: problem } } },
    async (request, reply) => {
      const { windowDays: days, to, whatIf, shifts, ...forecastRequest } = request.body;
      const end = windowEnd(to);
      const shares = dutyShares(shifts, new Date());
      const fitted = await measureStaffingModel(db, days, end);
      if (fitted.measured.incidents === 0) throw problems.unprocessable('nothing-measured', 'Nothing to simulate', `no incidents with a priority in the last ${days} days: the model has nothing to stand on`);
      const { run, finished } = await runs.start(withWhatIf(fitted.model, whatIf), { ...forecastRequest, ...(shares ? { dutyShares: shares } : {}) });
      const timeout = delay(ANSWER_WITHIN_MS, undefined, { ref: false });
      const ended = await Promise.race([finished, timeout]);
      const location = `/v1/simulations/runs/${run.id}`;
      if (!ended) return reply.code(202).header('location', location).send({ id: run.id, status: run.status, progress: run.progress, location });
      if (ended.status === 'failed') throw new Error(`simulation ${run.id} failed: ${ended.error}`);
      return { id: run.id, status: 'done', measured: fitted.measured, window: fitted.window, ...(shares ? { dutyShares: shares } : {}), ...ended.forecast };
    },
  );

  app.post<{ Body: { windowDays: number; to?: string; splitShare: number; analysts?: number; runs: number; seed: number } }>(
    '/v1/simulations/backtest',
    {
      schema: {
        tags: ['reports'],
        summary: 'Fit on the first part of the window, simulate the rest with the staffing that was on shift, and state the error against what the rest measured',
        body: {
          type: 'object',
          additionalProperties: false,
          properties: {
            windowDays,
            to: windowTo,
            splitShare: { type: 'number', minimum: 0.2, maximum: 0.9, default: 0.5, description: 'the share of the window the model is fitted on' },
            analysts: { type: 'integer', minimum: 1, maximum: 500, description: 'on shift in the rest (default: the distinct people who worked incidents, per hour worked)' },
            runs: { type: 'integer', minimum: 1, maximum: 1000, default: 50 },
            seed: { type: 'integer', minimum: 0, maximum: 2_147_483_647, default: 1 },
          },
        },
        response: { 200: anyObject, ...authProblems, 422: problem },
      },
    },
    async (request) => {
      const { windowDays: days, splitShare, runs: runCount, seed } = request.body;
      const to = windowEnd(request.body.to);
      const from = new Date(to.getTime() - days * 86_400_000);
      const mid = new Date(from.getTime() + days * splitShare * 86_400_000);
      const [fit, rest] = await Promise.all([measureStaffingModelBetween(db, from, mid), measureStaffingModelBetween(db, mid, to)]);
      if (fit.measured.incidents === 0 || rest.measured.incidents === 0) {
        throw problems.unprocessable('nothing-measured', 'Nothing to backtest', `the fit (${fit.measured.incidents}) and the test (${rest.measured.incidents}) periods both need incidents with a priority`);
      }
      const analysts = request.body.analysts ?? (await staffOnShift(db, mid, to));
      const horizonDays = Math.max(1, Math.ceil(rest.window.days));
      const { finished } = await runs.start(fit.model, { analysts: [analysts], horizonDays, runs: runCount, seed });
      const ended = await finished;
      if (ended.status !== 'done' || !ended.forecast) throw new Error(`backtest ${ended.id} failed: ${ended.error}`);
      const verdict = backtestVerdict(ended.forecast.levels[0]!, measuredCompliance(rest.model), measuredTimeInStage(rest.model));
      const statement = `predicted ${verdict.predicted.overall} against ${verdict.measured.overall} measured: an error of ${verdict.error.overall} in compliance; ${timeStatement(verdict)}`;
      return { fit: { window: fit.window, measured: fit.measured }, test: { window: rest.window, measured: rest.measured }, analysts: { count: analysts, derived: request.body.analysts === undefined }, ...verdict, statement };
    },
  );

  app.get<{ Params: { id: string } }>(
    '/v1/simulations/runs/:id',
    { schema: { tags: ['reports'], summary: 'A forecast: running (with its progress), done (with its answer) or failed', params: { type: 'object', required: ['id'], properties: { id: { type: 'string', format: 'uuid' } } }, response: { 200: anyObject, ...authProblems, 404: problem } } },
    async (request) => {
      const run = await runs.get(request.params.id);
      if (!run) throw problems.notFound(`no simulation ${request.params.id} (runs are kept a day)`);
      const { forecast, ...rest } = run;
      return { ...rest, ...(forecast ?? {}) };
    },
  );
}
