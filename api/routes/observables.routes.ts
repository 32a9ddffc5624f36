/**
 * Observables across incidents: add one to an incident by hand (an `observable_added` step; it
 * joins the subject, so the stage's context lookups ask about it), optionally as an indicator of
 * compromise - then it goes into the intel context, and later alerts naming it raise urgency as
 * intel matches do. An observable's page lists every incident that saw it.
 */
import type { FastifyInstance } from 'fastify';
import type { Database } from '../../db/client.js';
import { upsertContext } from '../../db/context.repo.js';
import { findIncident } from '../../db/incidents.reads.js';
import { incidentObservables, sightings } from '../../db/observables.reads.js';
import { OBSERVABLE_TYPES, type ObservableType } from '../../machines/context.types.js';
import { TLP_LEVELS, type Tlp } from '../../workflows/incident.casework.js';
import { actorOf, principalOf } from '../auth.js';
import type { IncidentCommands } from '../incident-commands.js';
import { normalisedField } from '../input-hygiene.js';
import { problems } from '../problem.js';
import { authProblems, idempotencyHeader, incidentIdParams, isoTime, problem } from '../schemas.js';

/** The confidence of an indicator an analyst marked on an incident (above the bar that raises urgency). */
export const MARKED_IOC_CONFIDENCE = 90;

/** Domains, hashes and e-mail addresses compare without case; addresses and URLs as given. */
export function canonicalValue(type: ObservableType, value: string): string {
  return type === 'domain' || type === 'hash' || type === 'email' ? value.trim().toLowerCase() : value.trim();
}

const observableBody = {
  type: 'object',
  additionalProperties: false,
  required: ['type', 'value'],
  properties: {
    type: { type: 'string', enum: [...OBSERVABLE_TYPES] },
    value: { type: 'string', minLength: 1, maxLength: 2048 },
    tlp: { type: 'string', enum: [...TLP_LEVELS], description: 'Traffic Light Protocol 2.0' },
    ioc: { type: 'boolean', default: false, description: 'an indicator of compromise: added to the intel context as malicious' },
  },
} as const;

const incidentObservable = { $ref: 'incidentObservable#' } as const;
const incidentObservablesSchema = { type: 'array', items: incidentObservable } as const;

const sightingSchema = {
  type: 'object',
  properties: {
    incidentId: { type: 'string' },
    title: { type: 'string' },
    stage: { type: 'string' },
    priority: { type: 'string' },
    open: { type: 'boolean' },
    firstSeen: isoTime,
    lastSeen: isoTime,
    seenIn: { type: 'array', items: { type: 'string', enum: ['alert', 'note', 'person'] } },
    ioc: { type: 'boolean' },
  },
} as const;

export function observableRoutes(app: FastifyInstance, commands: IncidentCommands, db: Database): void {
  app.post<{ Params: { id: string }; Body: { type: ObservableType; value: string; tlp?: Tlp; ioc: boolean }; Headers: { 'idempotency-key'?: string } }>(
    '/v1/incidents/:id/observables',
    {
      schema: {
        tags: ['case work'],
        summary: 'Add an observable to an incident; with ioc: true it also goes into the intel context as malicious',
        headers: idempotencyHeader,
        params: incidentIdParams,
        body: observableBody,
        response: { 201: incidentObservable, ...authProblems, 404: problem },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      const { type, tlp, ioc } = request.body;
      const value = canonicalValue(type, request.body.value);
      const principal = principalOf(request);
      await commands.observe(id, { observable: { type, value }, ...(tlp ? { tlp } : {}), ioc, ...actorOf(principal), ...normalisedField(request) }, request.headers['idempotency-key']);
      if (ioc) await upsertContext(db, 'intel', [{ indicator: value, type, verdict: 'malicious', confidence: MARKED_IOC_CONFIDENCE, source: `irflow:${id}` }]);
      const mine = (await incidentObservables(db, id)).find((o) => o.type === type && o.value === value);
      return reply.code(201).send(mine ?? { type, value, ioc, otherIncidents: 0, link: `/v1/observables/${type}/${encodeURIComponent(value)}` });
    },
  );

  app.get<{ Params: { id: string } }>(
    '/v1/incidents/:id/observables',
    {
      schema: {
        tags: ['case work'],
        summary: 'The observables an incident saw (alerts, notes, by hand), each with how many other incidents saw it',
        params: incidentIdParams,
        response: { 200: { type: 'object', properties: { observables: incidentObservablesSchema } }, ...authProblems, 404: problem },
      },
    },
    async (request) => {
      if (!(await findIncident(db, request.params.id))) throw problems.notFound(`no incident ${request.params.id}`);
      return { observables: await incidentObservables(db, request.params.id) };
    },
  );

  app.get<{ Params: { type: ObservableType; value: string } }>(
    '/v1/observables/:type/:value',
    {
      schema: {
        tags: ['case work'],
        summary: 'Every incident that saw an observable, with first and last seen',
        params: {
          type: 'object',
          required: ['type', 'value'],
          properties: { type: { type: 'string', enum: [...OBSERVABLE_TYPES] }, value: { type: 'string', minLength: 1, maxLength: 1000, description: 'percent-encoded; longer values are found from their incidents' } },
        },
        response: { 200: { type: 'object', properties: { type: { type: 'string' }, value: { type: 'string' }, incidents: { type: 'array', items: sightingSchema } } }, ...authProblems },
      },
    },
    async (request) => {
      const { type } = request.params;
      const value = canonicalValue(type, request.params.value);
      return { type, value, incidents: await sightings(db, { type, value }) };
    },
  );
}
