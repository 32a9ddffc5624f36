/** API keys (admin): create (the token is shown once), list, revoke. */
import type { FastifyInstance } from 'fastify';
import { createApiKey, listApiKeys, revokeApiKey, type Role } from '../../db/api-keys.repo.js';
import type { Database } from '../../db/client.js';
import { isUniqueViolation } from '../../db/errors.js';
import { problems } from '../problem.js';
import { apiKey, apiKeyRequest, authProblems, problem } from '../schemas.js';

export function apiKeyRoutes(app: FastifyInstance, db: Database): void {
  app.post<{ Body: { name: string; roles: Role[]; sources?: string[] } }>(
    '/v1/api-keys',
    { config: { roles: ['admin'] }, schema: { tags: ['admin'], body: apiKeyRequest, response: { 201: apiKey, ...authProblems, 409: problem } } },
    async (request, reply) => {
      try {
        return reply.code(201).send(await createApiKey(db, request.body.name, request.body.roles, request.body.sources));
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
        // Names are actors in the audit log and for the two-person rule: one active key per name.
        throw problems.conflict('name-taken', 'Name taken', `an active API key is already named ${request.body.name}`);
      }
    },
  );

  app.get(
    '/v1/api-keys',
    { config: { roles: ['admin'] }, schema: { tags: ['admin'], response: { 200: { type: 'object', properties: { apiKeys: { type: 'array', items: apiKey } } }, ...authProblems } } },
    async () => ({ apiKeys: await listApiKeys(db) }),
  );

  app.delete<{ Params: { id: string } }>(
    '/v1/api-keys/:id',
    {
      config: { roles: ['admin'] },
      schema: { tags: ['admin'], params: { type: 'object', properties: { id: { type: 'string', maxLength: 64 } } }, response: { 204: { type: 'null' }, ...authProblems, 404: problem } },
    },
    async (request, reply) => {
      if (!(await revokeApiKey(db, request.params.id))) throw problems.notFound(`no active API key ${request.params.id}`);
      return reply.code(204).send();
    },
  );
}
