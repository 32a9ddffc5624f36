/** Incidents: list, read, report one, and move one through its lifecycle. */
import type { FastifyInstance } from 'fastify';
import type { Database } from '../../db/client.js';
import { hasQueuedAlerts } from '../../db/alerts.repo.js';
import { countRefusedAttempt } from '../../db/measures.repo.js';
import { InvalidCursorError } from '../../db/cursor.js';
import { incidentObservables } from '../../db/observables.reads.js';
import { findIncident, incidentHistory, listIncidents, toIncidentView } from '../../db/incidents.reads.js';
import { incidentAsOf } from '../../machines/as-of.js';
import { assetNames, type AlertAsset } from '../../machines/alert.js';
import type { Observable } from '../../machines/context.types.js';
import type { Severity } from '../../machines/playbook.types.js';
import { durationMs } from '../../machines/sla.js';
import type { Fields } from '../../machines/procedure.js';
import { actorOf, holdsRole, principalOf } from '../auth.js';
import { HISTORY_READERS } from '../access.table.js';
import type { PlaybookCatalog } from '../deps.js';
import { incidentIdForIdempotencyKey, newIncidentId } from '../../db/ids.js';
import { isGateRefusal, type IncidentCommands } from '../incident-commands.js';
import { normalisedField, normalisedWithin } from '../input-hygiene.js';
import { problems } from '../problem.js';
import { authProblems, idempotencyHeader, incidentAsOfSchema, incidentIdParams, incidentView, isoTime, pendingOutcome, problem, reportIncident, severity, transitionRequest } from '../schemas.js';


interface ListQuery {
  stage?: string;
  severity?: string;
  priority?: string;
  playbook?: string;
  open?: boolean;
  slaBreached?: boolean;
  slaDueWithin?: string;
  sort: 'createdAt' | 'priority';
  limit: number;
  cursor?: string;
}

interface ReportBody {
  title: string;
  severity: Severity;
  description?: string;
  category?: string;
  playbook?: string;
  detectedAt?: string;
  assets?: AlertAsset[];
  observables?: Observable[];
}

export function incidentRoutes(app: FastifyInstance, deps: { db: Database; commands: IncidentCommands; playbooks: PlaybookCatalog }): void {
  const { db, commands, playbooks } = deps;

  app.get<{ Querystring: ListQuery }>(
    '/v1/incidents',
    {
      schema: {
        tags: ['incidents'],
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            stage: { type: 'string', maxLength: 64 },
            severity,
            priority: { type: 'string', pattern: '^P[1-5]$' },
            playbook: { type: 'string', maxLength: 64 },
            open: { type: 'boolean' },
            slaBreached: { type: 'boolean' },
            slaDueWithin: { type: 'string', pattern: '^[1-9][0-9]{0,3}(s|m|h|d|w)$', description: 'e.g. 1h: a running SLA clock falls due within that (at most 9999 of the unit)' },
            sort: { type: 'string', enum: ['createdAt', 'priority'], default: 'createdAt', description: 'newest first, or P1 first then newest' },
            limit: { type: 'integer', minimum: 1, maximum: 200, default: 50 },
            cursor: { type: 'string', maxLength: 200 },
          },
        },
        response: {
          200: { type: 'object', properties: { incidents: { type: 'array', items: incidentView }, nextCursor: { type: ['string', 'null'] } } },
          ...authProblems,
        },
      },
    },
    async (request) => {
      try {
        const { slaDueWithin, ...filter } = request.query;
        return await listIncidents(db, { ...filter, ...(slaDueWithin ? { slaDueWithinSeconds: durationMs(slaDueWithin) / 1000 } : {}) });
      } catch (error) {
        if (error instanceof InvalidCursorError) throw problems.badRequest(error.message);
        throw error;
      }
    },
  );

  app.get<{ Params: { id: string }; Querystring: { asOf?: string } }>(
    '/v1/incidents/:id',
    {
      schema: {
        tags: ['incidents'],
        params: incidentIdParams,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { asOf: { ...isoTime, description: 'the incident as it stood then, rebuilt from the audit log' } },
        },
        response: { 200: { oneOf: [incidentView, incidentAsOfSchema] }, ...authProblems, 404: problem, 503: problem },
      },
    },
    async (request) => {
      if (request.query.asOf) {
        // The incident as it stood is its history: the roles that read histories, and on the access log.
        const principal = principalOf(request);
        if (!holdsRole(principal, HISTORY_READERS)) {
          throw problems.forbidden(`asOf reads the incident's history, which needs one of the roles ${HISTORY_READERS.join(', ')}`);
        }
        await app.auditTrail.access(principal.name, 'history', request.params.id);
        const state = incidentAsOf(request.params.id, await incidentHistory(db, request.params.id), new Date(request.query.asOf).toISOString());
        if (!state) throw problems.notFound(`incident ${request.params.id} did not exist at ${request.query.asOf}`);
        return state;
      }
      const row = await findIncident(db, request.params.id);
      if (row) return { ...toIncidentView(row), observables: await incidentObservables(db, row.id) };
      // Queued alerts are read before the workflow is asked: an alert delivered after this read has
      // started its workflow before the query, so no moment answers 404 for an incident on its way.
      const queued = await hasQueuedAlerts(db, request.params.id);
      // A workflow that has not run its first task cannot answer a query yet: its alerts are queued.
      const live = await commands.liveView(request.params.id).catch((error: unknown) => {
        if (queued) return undefined;
        throw error;
      });
      if (live) return live;
      if (queued) throw problems.unavailable(`incident ${request.params.id} opens when its queued alerts reach it, within moments`, 2);
      const recorded = await findIncident(db, request.params.id);
      if (recorded) return toIncidentView(recorded);
      throw problems.notFound(`no incident ${request.params.id}`);
    },
  );

  app.post<{ Body: ReportBody; Headers: { 'idempotency-key'?: string } }>(
    '/v1/incidents',
    {
      schema: {
        tags: ['incidents'],
        summary: 'Report an incident found by a person (not an alert)',
        headers: idempotencyHeader,
        body: reportIncident,
        response: { 200: incidentView, 201: incidentView, ...authProblems, 422: problem },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const { title, severity: level, description, category, detectedAt, assets, observables } = request.body;
      const playbookId = request.body.playbook ?? 'default';
      const playbook = await playbooks.latest(playbookId);
      if (!playbook) throw problems.unprocessable('unknown-playbook', 'Unknown playbook', `no playbook ${playbookId} is registered`);
      const key = request.headers['idempotency-key'];
      const incidentId = key ? incidentIdForIdempotencyKey(principal.id, key) : newIncidentId();
      const { view, created } = await commands.openIncident({
        incidentId,
        title,
        severity: level,
        description,
        category,
        playbook,
        openedBy: principal.name,
        ...(detectedAt ? { detectedAt } : {}),
        subject: { ...assetNames(assets), ruleIds: [], observables: observables ?? [] },
        normalised: normalisedWithin(request.normalised, 'body'),
      });
      return reply.code(created ? 201 : 200).header('location', `/v1/incidents/${view.id}`).send(view);
    },
  );

  app.post<{ Params: { id: string }; Body: { event: string; comment?: string; fields?: Fields; checklist?: string[] }; Headers: { 'idempotency-key'?: string } }>(
    '/v1/incidents/:id/transitions',
    {
      schema: {
        tags: ['incidents'],
        summary: 'Apply a lifecycle event',
        description:
          '200 with the new incident view; 202 when the transition waits for approvals; 409 when the stage does not allow the event; 422 when its procedure is not met.',
        headers: idempotencyHeader,
        params: incidentIdParams,
        body: transitionRequest,
        response: { 200: incidentView, 202: pendingOutcome, ...authProblems, 404: problem, 409: problem, 422: problem },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const { event, comment, fields, checklist } = request.body;
      let outcome;
      try {
        outcome = await commands.applyEvent(
          request.params.id,
          {
            event,
            ...actorOf(principal),
            ...(comment ? { comment } : {}),
            ...(fields ? { fields } : {}),
            ...(checklist ? { checklist } : {}),
            ...normalisedField(request),
          },
          request.headers['idempotency-key'],
        );
      } catch (error) {
        // A refused attempt never reaches the workflow's history: count it here, for the gate rejection rate.
        if (isGateRefusal(error)) {
          await countRefusedAttempt(db, request.params.id).catch((failure: unknown) => request.log.warn({ err: failure }, 'refused attempt not counted'));
        }
        throw error;
      }
      return outcome.pendingApproval ? reply.code(202).send(outcome) : outcome.incident;
    },
  );
}
