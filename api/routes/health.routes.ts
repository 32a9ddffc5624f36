/** Liveness and readiness: ready means the database answers and Temporal answers. */
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { sql } from 'drizzle-orm';
import { incidentHealth } from '../../db/health.reads.js';
import type { ApiDeps } from '../deps.js';
import { authProblems, problem } from '../schemas.js';

/** An incident that recorded nothing this long after its first alert was delivered is listed. */
const UNRECORDED_AFTER_SECONDS = 60;

const listOf = (properties: Record<string, unknown>) => ({ type: 'array', items: { type: 'object', properties } }) as const;
const incidentHealthSchema = {
  type: 'object',
  properties: {
    status: { type: 'string', enum: ['ok', 'degraded'] },
    stuck: listOf({
      incidentId: { type: 'string' },
      seq: { type: 'integer' },
      attempts: { type: 'integer' },
      since: { type: 'string', format: 'date-time' },
      lastFailedAt: { type: 'string', format: 'date-time' },
      lastError: { type: 'string' },
    }),
    unrecordable: listOf({ incidentId: { type: 'string' }, seq: { type: 'integer' }, stepType: { type: 'string' }, reason: { type: 'string' }, at: { type: 'string', format: 'date-time' } }),
    unrecorded: listOf({ incidentId: { type: 'string' }, alerts: { type: 'integer' }, deliveredSince: { type: 'string', format: 'date-time' } }),
  },
} as const;

/** A dependency's state for anyone to read; why it is down goes to the log, not to the caller. */
type DependencyState = 'ok' | 'down' | 'timed out';

async function check(name: string, probe: () => Promise<unknown>, log: FastifyBaseLogger): Promise<DependencyState> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'timed out'>((resolve) => (timer = setTimeout(() => resolve('timed out'), 3000).unref()));
  try {
    const state = await Promise.race([probe().then(() => 'ok' as const), late]);
    if (state !== 'ok') log.warn({ dependency: name }, `readiness: ${name} did not answer within 3 s`);
    return state;
  } catch (error) {
    log.warn({ dependency: name, err: error }, `readiness: ${name} is down`);
    return 'down';
  } finally {
    clearTimeout(timer);
  }
}

export function healthRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const status = { type: 'object', properties: { status: { type: 'string' } } } as const;
  app.get('/healthz', { schema: { tags: ['health'], response: { 200: status } } }, async () => ({ status: 'ok' }));
  app.get<{ Querystring: { days: number } }>(
    '/v1/health/incidents',
    {
      schema: {
        tags: ['health'],
        summary: 'Incidents whose steps cannot be recorded: stuck (retrying), unrecordable (given up and replaced), unrecorded (alerts delivered, nothing recorded)',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { days: { type: 'integer', minimum: 1, maximum: 366, default: 7, description: 'how far back give-ups and unrecorded alerts are listed' } },
        },
        response: { 200: incidentHealthSchema, ...authProblems },
      },
    },
    async (request) => {
      const since = new Date(Date.now() - request.query.days * 86_400_000);
      const health = await incidentHealth(deps.db, { since, unrecordedAfterSeconds: UNRECORDED_AFTER_SECONDS, limit: 200 });
      const degraded = health.stuck.length + health.unrecordable.length + health.unrecorded.length > 0;
      return { status: degraded ? 'degraded' : 'ok', ...health };
    },
  );

  app.get(
    '/readyz',
    {
      schema: {
        tags: ['health'],
        response: {
          200: { type: 'object', properties: { status: { type: 'string' }, checks: { type: 'object', additionalProperties: { type: 'string', enum: ['ok', 'down', 'timed out'] } } } },
          503: problem,
        },
      },
    },
    async (request, reply) => {
      const [database, temporal] = await Promise.all([
        check('database', () => deps.db.execute(sql`select 1`), request.log),
        check('temporal', () => deps.temporal.connection.workflowService.getSystemInfo({}), request.log),
      ]);
      const checks = { database, temporal };
      if (database === 'ok' && temporal === 'ok') return { status: 'ready', checks };
      return reply
        .code(503)
        .type('application/problem+json')
        .send({ type: 'urn:irflow:problem:not-ready', title: 'Not ready', status: 503, detail: `not answering: ${Object.entries(checks).filter(([, state]) => state !== 'ok').map(([name]) => name).join(', ')} (the service log says why)`, checks });
    },
  );
}
