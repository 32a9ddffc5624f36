/**
 * `GET /v1/alerts/:alertId`: an alert as irflow normalised it, with the payload as received (the
 * evidence; each read is in the access log). `GET /v1/incidents/:id/alerts`: an incident's
 * alerts, oldest first, page by page.
 */
import type { FastifyInstance } from 'fastify';
import { findAlert, listIncidentAlerts } from '../../db/alerts.reads.js';
import type { Database } from '../../db/client.js';
import { InvalidCursorError } from '../../db/cursor.js';
import { findIncident } from '../../db/incidents.reads.js';
import { principalOf } from '../auth.js';
import { problems } from '../problem.js';
import { authProblems, incidentIdParams, isoTime, observable, problem } from '../schemas.js';

const nullableText = { type: ['string', 'null'] } as const;

export const alertView = {
  type: 'object',
  required: ['id', 'source', 'sourceId', 'incidentId', 'title', 'severity', 'receivedAt', 'assets', 'observables', 'mitre'],
  properties: {
    id: { type: 'string' },
    source: { type: 'string' },
    sourceId: { type: 'string' },
    incidentId: { type: 'string' },
    title: { type: 'string' },
    severity: { type: 'string' },
    ruleId: nullableText,
    ruleName: nullableText,
    category: nullableText,
    detectedAt: nullableText,
    receivedAt: isoTime,
    deliveredAt: { ...nullableText, description: 'when the incident took it; null while it is queued' },
    assets: { type: 'array', items: { type: 'object', properties: { hostname: { type: 'string' }, ip: { type: 'string' } } } },
    observables: { type: 'array', items: observable },
    mitre: { type: 'array', items: { type: 'object', required: ['id'], properties: { id: { type: 'string' }, name: { type: 'string' } } } },
    normalised: { type: 'array', items: { type: 'string' }, description: 'places whose text was made storable (NUL, lone surrogates → U+FFFD)' },
    raw: { description: 'the payload as received; over 256 KiB: {truncated: true, bytes, text} with its first 256 KiB' },
  },
} as const;

export function alertReadRoutes(app: FastifyInstance, db: Database): void {
  app.get<{ Params: { alertId: string } }>(
    '/v1/alerts/:alertId',
    {
      schema: {
        tags: ['alerts'],
        summary: 'An alert as normalised, with its payload as received',
        params: { type: 'object', required: ['alertId'], properties: { alertId: { type: 'string', minLength: 1, maxLength: 64 } } },
        response: { 200: alertView, ...authProblems, 404: problem },
      },
    },
    async (request) => {
      const alert = await findAlert(db, request.params.alertId);
      if (!alert) throw problems.notFound(`no alert ${request.params.alertId}`);
      await app.auditTrail.access(principalOf(request).name, 'alert', alert.incidentId);
      return alert;
    },
  );

  app.get<{ Params: { id: string }; Querystring: { limit: number; cursor?: string } }>(
    '/v1/incidents/:id/alerts',
    {
      schema: {
        tags: ['alerts'],
        summary: "An incident's alerts, oldest first",
        params: incidentIdParams,
        querystring: {
          type: 'object',
          properties: { limit: { type: 'integer', minimum: 1, maximum: 200, default: 50 }, cursor: { type: 'string', maxLength: 200 } },
        },
        response: {
          200: { type: 'object', properties: { alerts: { type: 'array', items: alertView }, nextCursor: { type: ['string', 'null'] } } },
          ...authProblems,
          404: problem,
        },
      },
    },
    async (request) => {
      try {
        const page = await listIncidentAlerts(db, request.params.id, request.query);
        if (page.alerts.length === 0 && !request.query.cursor && !(await findIncident(db, request.params.id))) throw problems.notFound(`no incident ${request.params.id}`);
        return page;
      } catch (error) {
        if (error instanceof InvalidCursorError) throw problems.badRequest(error.message);
        throw error;
      }
    },
  );
}
