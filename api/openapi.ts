/**
 * The published API description says what the API does: every error status a route can answer
 * is documented as `application/problem+json`, with the problems every `/v1` route shares (a
 * schema mismatch, no token, a missing role, a dependency down; a body too large or of a type
 * the route does not take; an unknown id), and the routes that need no token say so. One hook
 * over every route, so no route can forget.
 */
import type { FastifyInstance, RouteOptions } from 'fastify';
import { PROBLEM_CONTENT_TYPE } from './problem.js';
import { problem } from './schemas.js';

const MEANING: Record<number, string> = {
  400: 'The request does not match its schema: every field at fault, with its path (at most 50 listed)',
  401: 'No token, or one that is unknown or revoked',
  403: 'The token has none of the roles this needs',
  404: 'No such thing',
  409: 'Not allowed in the current state',
  413: 'The body, or a batch in it, is larger than this route takes',
  415: 'The body is not of a media type this route takes',
  422: 'Well-formed, but not acceptable: every reason listed',
  429: 'Too many requests from this token (or address) in the window, or in flight at once; retry after Retry-After seconds',
  503: 'Temporal or the database did not answer in time; retry after Retry-After seconds',
};

type ResponseMap = Record<string, unknown>;

function problemResponse(status: number) {
  return {
    description: MEANING[status] ?? 'A problem',
    content: { [PROBLEM_CONTENT_TYPE]: { schema: problem } },
    ...(status === 503 || status === 429 ? { headers: { 'retry-after': { schema: { type: 'integer' }, description: 'seconds to wait' } } } : {}),
  };
}

const takesBody = (method: RouteOptions['method']) => [method].flat().some((m) => m === 'POST' || m === 'PUT' || m === 'PATCH');

/** The error statuses a route answers besides those it declares. */
function sharedProblems(route: RouteOptions): number[] {
  if (!route.url.startsWith('/v1')) return [];
  const statuses = [400, 401, 403, 429, 503];
  if (route.url.includes(':')) statuses.push(404);
  if (takesBody(route.method)) statuses.push(413, 415);
  return statuses;
}

export function installResponseDocs(app: FastifyInstance): void {
  app.addHook('onRoute', (route) => {
    const schema = route.schema as (RouteOptions['schema'] & { hide?: boolean; security?: unknown[]; response?: ResponseMap }) | undefined;
    if (!schema || schema.hide) return;
    if (!route.url.startsWith('/v1')) schema.security = [];
    const response: ResponseMap = { ...(schema.response ?? {}) };
    for (const status of sharedProblems(route)) response[status] ??= problem;
    for (const status of Object.keys(response)) if (Number(status) >= 400) response[status] = problemResponse(Number(status));
    schema.response = response;
  });
}
