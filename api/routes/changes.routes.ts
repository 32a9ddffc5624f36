/**
 * `POST /v1/changes`: one configuration change from a CMDB or cloud-config webhook. It is stored
 * with the change context (idempotent by id) and tested against every enabled exposure rule;
 * each match opens an exposure incident, once per (rule, change). The answer lists them.
 */
import type { FastifyInstance } from 'fastify';
import type { Database } from '../../db/client.js';
import { upsertContext } from '../../db/context.repo.js';
import { contentHash } from '../../db/ledger.js';
import { principalOf } from '../auth.js';
import type { DigestDesk } from '../digests.js';
import type { ExposureResponder, ExposureResponse } from '../exposures.js';
import { problems } from '../problem.js';
import { authProblems, problem } from '../schemas.js';
import { changeBody, MAX_CHANGE_DOCUMENT_BYTES, oversizedDocuments, toChangeRecord, type PostedChange } from './changes.schemas.js';

/** Failures listed in an answer; the rest are counted. */
const MAX_FAILURES_LISTED = 50;

export const exposureOutcome = {
  type: 'object',
  properties: {
    rulesTested: { type: 'integer' },
    exposures: {
      type: 'array',
      items: {
        type: 'object',
        properties: { ruleId: { type: 'string' }, ruleVersion: { type: 'integer' }, changeId: { type: 'string' }, incidentId: { type: 'string' }, created: { type: 'boolean' } },
      },
    },
    failures: { type: 'array', items: { type: 'object', properties: { ruleId: { type: 'string' }, changeId: { type: 'string' }, error: { type: 'string' } } } },
    failureCount: { type: 'integer' },
  },
} as const;

/** The responder's answer with its failures cut to a readable few. */
export function outcomeBody(response: ExposureResponse) {
  return { rulesTested: response.rulesTested, exposures: response.exposures, failures: response.failures.slice(0, MAX_FAILURES_LISTED), failureCount: response.failures.length };
}

export function tooLarge(names: string[], where = '') {
  return problems.unprocessable('change-too-large', 'Change too large', `${names.map((n) => where + n).join(', ')} must serialise to at most ${MAX_CHANGE_DOCUMENT_BYTES} bytes each`, {
    errors: names.map((n) => ({ path: where + n, message: `larger than ${MAX_CHANGE_DOCUMENT_BYTES} bytes` })),
  });
}

export function changeRoutes(app: FastifyInstance, db: Database, exposures: ExposureResponder, digests: DigestDesk): void {
  app.post(
    '/v1/business-units/digests',
    { schema: { tags: ['exposures'], summary: 'Send every business unit with a channel its exposure digest now (since the last one)', response: { 202: { type: 'object', properties: { queued: { type: 'boolean' } } }, ...authProblems } } },
    async (_request, reply) => {
      await digests.sendNow();
      return reply.code(202).send({ queued: true });
    },
  );

  app.post<{ Body: PostedChange }>(
    '/v1/changes',
    {
      bodyLimit: 512 * 1024,
      schema: {
        tags: ['exposures'],
        summary: 'Post one configuration change (CMDB or cloud-config webhook); exposure rules that match it open incidents',
        body: changeBody,
        response: { 200: { type: 'object', properties: { change: { type: 'object', additionalProperties: true }, ...exposureOutcome.properties } }, ...authProblems, 422: problem },
      },
    },
    async (request) => {
      const oversized = oversizedDocuments(request.body);
      if (oversized.length > 0) throw tooLarge(oversized);
      const change = toChangeRecord(request.body, new Date());
      const actor = principalOf(request).name;
      await upsertContext(db, 'change', [change]);
      await app.auditTrail.system('change_posted', actor, { id: change.id, kind: change.kind, hash: contentHash(change) });
      return { change: { id: change.id, kind: change.kind, plannedStart: change.plannedStart, plannedEnd: change.plannedEnd }, ...outcomeBody(await exposures.respond([change], actor)) };
    },
  );
}
