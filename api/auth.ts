/**
 * Bearer-token authentication and role checks. Every `/v1` route declares the roles that may
 * call it in `config.roles`; a route without them fails at start-up, so nothing is open by
 * mistake. A missing or unknown token is 401; a role without the right is 403.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { findActiveKeyByToken, type ApiKey, type Role } from '../db/api-keys.repo.js';
import type { Database } from '../db/client.js';
import { problems } from './problem.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Roles allowed to call the route; `admin` is always allowed. */
    roles?: readonly Role[];
  }
  interface FastifyRequest {
    principal?: ApiKey;
  }
}

export class RouteWithoutRolesError extends Error {
  override name = 'RouteWithoutRolesError';
}

/** The authenticated caller; routes behind `config.roles` always have one. */
export function principalOf(request: FastifyRequest): ApiKey {
  if (!request.principal) throw problems.unauthorized('no principal on this request');
  return request.principal;
}

export function installAuth(app: FastifyInstance, db: Database): void {
  app.decorateRequest('principal', undefined);
  app.addHook('onRoute', (route) => {
    if (route.url.startsWith('/v1') && !route.config?.roles) {
      throw new RouteWithoutRolesError(`route ${String(route.method)} ${route.url} declares no roles`);
    }
  });
  app.addHook('onRequest', async (request) => {
    const roles = request.routeOptions.config.roles;
    if (!roles) return;
    const header = request.headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match) throw problems.unauthorized('send Authorization: Bearer <token>');
    const key = await findActiveKeyByToken(db, match[1]!);
    if (!key) throw problems.unauthorized('the token is unknown or revoked');
    request.principal = key;
    if (!key.roles.some((role) => role === 'admin' || roles.includes(role))) {
      throw problems.forbidden(`this needs one of the roles ${roles.join(', ')}; the key ${key.name} has ${key.roles.join(', ')}`);
    }
  });
}
