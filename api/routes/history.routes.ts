/** The audit log of an incident, and the check of its hash chain. */
import type { FastifyInstance } from 'fastify';
import type { Database } from '../../db/client.js';
import type { IncidentCommands } from '../incident-commands.js';
import { findIncident, incidentHistory } from '../../db/incidents.reads.js';
import { recordAccess } from '../../db/access-log.repo.js';
import type { KeyRing } from '../../db/chain-signing.js';
import { verifySignedChain } from '../../db/chain-verify.js';
import { principalOf } from '../auth.js';
import { problems } from '../problem.js';
import { auditEvent, authProblems, incidentIdParams, problem } from '../schemas.js';

export function historyRoutes(app: FastifyInstance, db: Database, commands: IncidentCommands, keyRing?: KeyRing): void {
  /** An incident exists once its workflow does, even before its first step is projected. */
  async function mustExist(id: string) {
    const row = await findIncident(db, id);
    if (!row && !(await commands.liveView(id))) throw problems.notFound(`no incident ${id}`);
    return row;
  }

  app.get<{ Params: { id: string } }>(
    '/v1/incidents/:id/history',
    {
      schema: {
        tags: ['audit'],
        params: incidentIdParams,
        response: { 200: { type: 'object', properties: { events: { type: 'array', items: auditEvent } } }, ...authProblems, 404: problem },
      },
    },
    async (request) => {
      await mustExist(request.params.id);
      await recordAccess(db, principalOf(request).name, 'history', request.params.id);
      const events = await incidentHistory(db, request.params.id);
      return { events: events.map(({ incidentId: _incidentId, ...event }) => event) };
    },
  );

  app.get<{ Params: { id: string } }>(
    '/v1/incidents/:id/history/verify',
    {
      schema: {
        tags: ['audit'],
        summary: "Recompute the hash chain of the audit log and check its head's signature",
        params: incidentIdParams,
        response: {
          200: {
            type: 'object',
            properties: {
              valid: { type: 'boolean' },
              events: { type: 'integer' },
              brokenAt: { type: 'integer' },
              reason: { type: 'string' },
              signature: {
                type: 'object',
                description: "the chain head's Ed25519 signature against irflow's public keys (GET /v1/audit/keys)",
                properties: { valid: { type: 'boolean' }, keyId: { type: 'string' }, reason: { type: 'string' } },
              },
            },
          },
          ...authProblems,
          404: problem,
        },
      },
    },
    async (request) => {
      const incident = await mustExist(request.params.id);
      await recordAccess(db, principalOf(request).name, 'verify', request.params.id);
      const head = incident ? { incidentId: incident.id, lastSeq: incident.lastSeq, lastHash: incident.lastHash, headKeyId: incident.headKeyId, headSignature: incident.headSignature } : undefined;
      return verifySignedChain(await incidentHistory(db, request.params.id), head, keyRing?.publicKeys);
    },
  );
}
