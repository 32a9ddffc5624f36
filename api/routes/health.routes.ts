/** Liveness and readiness: ready means the database answers and Temporal answers. */
import type { FastifyInstance } from 'fastify';
import { sql } from 'drizzle-orm';
import type { ApiDeps } from '../deps.js';
import { problem } from '../schemas.js';

async function check(probe: () => Promise<unknown>): Promise<string> {
  try {
    await Promise.race([probe(), new Promise((_, reject) => setTimeout(() => reject(new Error('timed out after 3 s')), 3000).unref())]);
    return 'ok';
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

export function healthRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const status = { type: 'object', properties: { status: { type: 'string' } } } as const;
  app.get('/healthz', { schema: { tags: ['health'], response: { 200: status } } }, async () => ({ status: 'ok' }));
  app.get(
    '/readyz',
    {
      schema: {
        tags: ['health'],
        response: {
          200: { type: 'object', properties: { status: { type: 'string' }, checks: { type: 'object', additionalProperties: { type: 'string' } } } },
          503: problem,
        },
      },
    },
    async (_request, reply) => {
      const [database, temporal] = await Promise.all([
        check(() => deps.db.execute(sql`select 1`)),
        check(() => deps.temporal.connection.workflowService.getSystemInfo({})),
      ]);
      const checks = { database, temporal };
      if (database === 'ok' && temporal === 'ok') return { status: 'ready', checks };
      return reply
        .code(503)
        .type('application/problem+json')
        .send({ type: 'urn:irflow:problem:not-ready', title: 'Not ready', status: 503, detail: 'a dependency does not answer', checks });
    },
  );
}
