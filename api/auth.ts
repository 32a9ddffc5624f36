/**
 * Bearer-token authentication and role checks. Every guarded route takes its roles from the one
 * route × role table (access.table.ts): a route missing from the table, or a row naming no route,
 * stops the app from starting, so nothing is open by mistake. A token is an API key, or (with
 * single sign-on configured) an OIDC access token. A missing, unknown, revoked or expired token
 * is 401; a role without the right is 403.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { findActiveKeyByToken, type ApiKey } from '../db/api-keys.repo.js';
import type { Database } from '../db/client.js';
import { isGuarded, ROUTE_ROLES, type RouteKey } from './access.table.js';
import { looksLikeJwt, type OidcVerifier } from './oidc.js';
import type { Principal } from './principal.js';
import { problems } from './problem.js';

export type { Principal } from './principal.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Roles allowed to call the route, from the route × role table; `admin` is always allowed. */
    roles?: readonly string[];
    /** The token may come as `?token=` (alert intake only: senders such as Splunk cannot set headers). */
    queryToken?: boolean;
  }
  interface FastifyRequest {
    principal?: Principal;
  }
}

export class RouteWithoutRolesError extends Error {
  override name = 'RouteWithoutRolesError';
}

/** The authenticated caller; routes behind `config.roles` always have one. */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw problems.unauthorized('no principal on this request');
  return request.principal;
}

/** Who a command is recorded as: the principal's stable name, and the person's display name beside it. */
export function actorOf(principal: Principal): { actor: string; actorName?: string } {
  return { actor: principal.name, ...(principal.displayName ? { actorName: principal.displayName } : {}) };
}

/** Does the caller hold one of `roles`? An admin holds every role. */
export function holdsRole(caller: { roles: readonly string[] }, roles: { includes(role: string): boolean } | ReadonlySet<string>): boolean {
  const has = 'has' in roles ? (role: string) => roles.has(role) : (role: string) => roles.includes(role);
  return caller.roles.some((role) => role === 'admin' || has(role));
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

function keyPrincipal(key: ApiKey): Principal {
  return {
    id: key.id,
    name: key.name,
    roles: key.roles,
    via: 'api-key',
    ...(key.sources ? { sources: key.sources } : {}),
    ...(key.signatureSecretEnv ? { signatureSecretEnv: key.signatureSecretEnv } : {}),
  };
}

export interface AuthOptions {
  /** Single sign-on; without it only API keys are taken. */
  oidc?: OidcVerifier;
}

/** Each guarded route gets its roles from the table; a route the table does not know fails the start. */
function rolesFromTable(app: FastifyInstance): void {
  const registered = new Set<string>();
  app.addHook('onRoute', (route) => {
    if (!isGuarded(route.url)) return;
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) {
      // A HEAD route (Fastify adds one to every GET) is guarded as its GET.
      const key = `${method === 'HEAD' ? 'GET' : method} ${route.url}` as RouteKey;
      const roles = ROUTE_ROLES[key];
      if (!roles) throw new RouteWithoutRolesError(`route ${key} has no row in the route × role table (api/access.table.ts)`);
      route.config = { ...route.config, roles };
      registered.add(key);
    }
  });
  app.addHook('onReady', async () => {
    const stale = Object.keys(ROUTE_ROLES).filter((key) => !registered.has(key));
    if (stale.length > 0) throw new RouteWithoutRolesError(`the route × role table names routes there are not: ${stale.join(', ')}`);
  });
}

export function installAuth(app: FastifyInstance, db: Database, options: AuthOptions = {}): void {
  app.decorateRequest('principal', undefined);
  rolesFromTable(app);
  const authenticate = async (token: string): Promise<Principal> => {
    if (options.oidc && looksLikeJwt(token)) return options.oidc.verify(token);
    const key = await findActiveKeyByToken(db, token);
    if (!key) throw problems.unauthorized('the token is unknown, revoked or expired');
    return keyPrincipal(key);
  };
  app.addHook('onRequest', async (request) => {
    const roles = request.routeOptions.config.roles;
    if (!roles) return;
    const token = bearerToken(request);
    if (!token) throw problems.unauthorized(request.routeOptions.config.queryToken ? 'send Authorization: Bearer <token>, or ?token=<token>' : 'send Authorization: Bearer <token>');
    const principal = await authenticate(token);
    request.principal = principal;
    if (!holdsRole(principal, roles)) {
      const held = principal.roles.length > 0 ? principal.roles.join(', ') : 'no irflow role';
      throw problems.forbidden(`this needs one of the roles ${roles.join(', ')}; ${principal.name} has ${held}`);
    }
  });
}
