/** API keys (admin): create (the token is shown once), list, revoke. */
import type { FastifyInstance } from 'fastify';
import { createApiKey, listApiKeys, revokeApiKey, type Role } from '../../db/api-keys.repo.js';
import type { Database } from '../../db/client.js';
import { isUniqueViolation } from '../../db/errors.js';
import { principalOf } from '../auth.js';
import { problems } from '../problem.js';
import { apiKey, apiKeyRequest } from '../api-key.schemas.js';
import { authProblems, problem } from '../schemas.js';

interface ApiKeyRequest {
  name: string;
  roles: Role[];
  sources?: string[];
  expiresInDays?: number;
  signatureSecretEnv?: string;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** A signing secret is for alert senders, and must be there to check signatures with. */
function assertSigningSecret(roles: Role[], variable: string, secrets: NodeJS.ProcessEnv): void {
  if (!roles.includes('ingest')) throw problems.unprocessable('signature-needs-ingest', 'Signatures are for alert senders', 'signatureSecretEnv is for keys with the ingest role');
  if (!secrets[variable]) throw problems.unprocessable('secret-not-set', 'Secret not set', `${variable} is not set in this API process's environment`);
}

export function apiKeyRoutes(app: FastifyInstance, db: Database, secrets: NodeJS.ProcessEnv): void {
  app.post<{ Body: ApiKeyRequest }>(
    '/v1/api-keys',
    { schema: { tags: ['admin'], body: apiKeyRequest, response: { 201: apiKey, ...authProblems, 409: problem, 422: problem } } },
    async (request, reply) => {
      const { name, roles, sources, expiresInDays, signatureSecretEnv } = request.body;
      if (signatureSecretEnv !== undefined) assertSigningSecret(roles, signatureSecretEnv, secrets);
      const expiresAt = expiresInDays === undefined ? undefined : new Date(Date.now() + expiresInDays * DAY_MS);
      try {
        const made = await createApiKey(db, name, roles, { sources, expiresAt, signatureSecretEnv });
        // The system chain keeps what the key is, never its token.
        const { token: _token, ...recorded } = made;
        await app.auditTrail.system('api_key_created', principalOf(request).name, { ...recorded });
        return reply.code(201).send(made);
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
        // Names are actors in the audit log and for the two-person rule: one active key per name.
        throw problems.conflict('name-taken', 'Name taken', `an active API key is already named ${request.body.name}`);
      }
    },
  );

  app.get(
    '/v1/api-keys',
    { schema: { tags: ['admin'], response: { 200: { type: 'object', properties: { apiKeys: { type: 'array', items: apiKey } } }, ...authProblems } } },
    async () => ({ apiKeys: await listApiKeys(db) }),
  );

  app.delete<{ Params: { id: string } }>(
    '/v1/api-keys/:id',
    {
      schema: { tags: ['admin'], params: { type: 'object', properties: { id: { type: 'string', maxLength: 64 } } }, response: { 204: { type: 'null' }, ...authProblems, 404: problem } },
    },
    async (request, reply) => {
      if (!(await revokeApiKey(db, request.params.id))) throw problems.notFound(`no active API key ${request.params.id}`);
      await app.auditTrail.system('api_key_revoked', principalOf(request).name, { id: request.params.id });
      return reply.code(204).send();
    },
  );
}
