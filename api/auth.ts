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
    /** The token may come as `?token=` (alert intake only: senders such as Splunk cannot set headers). */
    queryToken?: boolean;
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

/** Does the key hold one of `roles`? An admin holds every role. */
export function holdsRole(key: ApiKey, roles: { includes(role: string): boolean } | ReadonlySet<string>): boolean {
  const has = 'has' in roles ? (role: string) => roles.has(role) : (role: string) => roles.includes(role);
  return key.roles.some((role) => role === 'admin' || has(role));
}

/** The token of a request: the bearer header, else `?token=` where the route allows it. */
export function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (header !== undefined) return /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1];
  if (!request.routeOptions.config.queryToken) return undefined;
  const token = (request.query as Record<string, unknown> | undefined)?.token;
  return typeof token === 'string' && token.length > 0 ? token : undefined;
}

/** A URL as logs may show it: a token in the query string is never written down. */
export function redactedUrl(url: string): string {
  return url.replace(/([?&]token=)[^&#]*/gi, '$1[redacted]');
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
    const token = bearerToken(request);
    if (!token) throw problems.unauthorized(request.routeOptions.config.queryToken ? 'send Authorization: Bearer <token>, or ?token=<token>' : 'send Authorization: Bearer <token>');
    const key = await findActiveKeyByToken(db, token);
    if (!key) throw problems.unauthorized('the token is unknown or revoked');
    request.principal = key;
    if (!holdsRole(key, roles)) {
      throw problems.forbidden(`this needs one of the roles ${roles.join(', ')}; the key ${key.name} has ${key.roles.join(', ')}`);
    }
  });
}
