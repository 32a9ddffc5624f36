/** The audit log of an incident, and the check of its hash chain. */
import type { FastifyInstance } from 'fastify';
import type { Database } from '../../db/client.js';
import { findIncident, incidentHistory } from '../../db/incidents.reads.js';
import { verifyChain } from '../../db/ledger.js';
import { problems } from '../problem.js';
import { auditEvent, authProblems, incidentIdParams, problem } from '../schemas.js';

export function historyRoutes(app: FastifyInstance, db: Database): void {
  app.get<{ Params: { id: string } }>(
    '/v1/incidents/:id/history',
    {
      config: { roles: ['analyst', 'auditor'] },
      schema: {
        tags: ['audit'],
        params: incidentIdParams,
        response: { 200: { type: 'object', properties: { events: { type: 'array', items: auditEvent } } }, ...authProblems, 404: problem },
      },
    },
    async (request) => {
      if (!(await findIncident(db, request.params.id))) throw problems.notFound(`no incident ${request.params.id}`);
      const events = await incidentHistory(db, request.params.id);
      return { events: events.map(({ incidentId: _incidentId, ...event }) => event) };
    },
  );

  app.get<{ Params: { id: string } }>(
    '/v1/incidents/:id/history/verify',
    {
      config: { roles: ['auditor'] },
      schema: {
        tags: ['audit'],
        summary: 'Recompute the hash chain of the audit log',
        params: incidentIdParams,
        response: {
          200: {
            type: 'object',
            properties: { valid: { type: 'boolean' }, events: { type: 'integer' }, brokenAt: { type: 'integer' }, reason: { type: 'string' } },
          },
          ...authProblems,
          404: problem,
        },
      },
    },
    async (request) => {
      const incident = await findIncident(db, request.params.id);
      if (!incident) throw problems.notFound(`no incident ${request.params.id}`);
      return verifyChain(await incidentHistory(db, request.params.id), { lastSeq: incident.lastSeq, lastHash: incident.lastHash });
    },
  );
}
