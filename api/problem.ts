/**
 * RFC 9457 problem details. Routes throw `ProblemError`; one error handler turns every error into
 * `application/problem+json` and hides the details of 5xx errors.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export interface FieldProblem {
  path: string;
  message: string;
}

export class ProblemError extends Error {
  override name = 'ProblemError';
  constructor(
    readonly status: number,
    /** A short slug; the problem type is `urn:irflow:problem:<slug>`. */
    readonly slug: string,
    readonly title: string,
    readonly detail?: string,
    readonly extra: Record<string, unknown> = {},
    /** Response headers that go with the problem, e.g. Retry-After. */
    readonly headers: Record<string, string> = {},
  ) {
    super(detail ?? title);
  }
}

export const problems = {
  badRequest: (detail: string, errors?: FieldProblem[]) => new ProblemError(400, 'invalid-request', 'Invalid request', detail, errors ? { errors } : {}),
  unauthorized: (detail: string) => new ProblemError(401, 'unauthorized', 'Authentication required', detail),
  forbidden: (detail: string) => new ProblemError(403, 'forbidden', 'Not allowed', detail),
  notFound: (detail: string) => new ProblemError(404, 'not-found', 'Not found', detail),
  /** An Idempotency-Key sent again with another request: the first answer is not this one's. */
  keyReused: () =>
    new ProblemError(422, 'idempotency-key-reused', 'Idempotency-Key reused', 'this Idempotency-Key was sent before with another request; send a new key for a new request'),
  conflict: (slug: string, title: string, detail: string, extra?: Record<string, unknown>) => new ProblemError(409, slug, title, detail, extra),
  unprocessable: (slug: string, title: string, detail: string, extra?: Record<string, unknown>) =>
    new ProblemError(422, slug, title, detail, extra),
  methodNotAllowed: (detail: string, allowed: string[]) => new ProblemError(405, 'method-not-allowed', 'Method not allowed', detail, { allowed }, { allow: allowed.join(', ') }),
  payloadTooLarge: (detail: string) => new ProblemError(413, 'payload-too-large', 'Payload too large', detail),
  unavailable: (detail: string, retryAfterSeconds = UNAVAILABLE_RETRY_AFTER_SECONDS) =>
    new ProblemError(503, 'unavailable', 'Service unavailable', detail, {}, { 'retry-after': String(retryAfterSeconds) }),
};

/** What a 503 asks a client to wait before trying again. */
export const UNAVAILABLE_RETRY_AFTER_SECONDS = 5;

/** An error body lists at most this many errors and says how many more there were. */
export const MAX_LISTED_ERRORS = 50;

function capped(extra: Record<string, unknown>): Record<string, unknown> {
  const errors = extra.errors;
  if (!Array.isArray(errors) || errors.length <= MAX_LISTED_ERRORS) return extra;
  return { ...extra, errors: errors.slice(0, MAX_LISTED_ERRORS), moreErrors: errors.length - MAX_LISTED_ERRORS };
}

export function sendProblem(reply: FastifyReply, problem: ProblemError, instance?: string) {
  return reply
    .code(problem.status)
    .headers(problem.headers)
    .type(PROBLEM_CONTENT_TYPE)
    .send({
      type: `urn:irflow:problem:${problem.slug}`,
      title: problem.title,
      status: problem.status,
      ...(problem.detail ? { detail: problem.detail } : {}),
      ...(instance ? { instance } : {}),
      ...capped(problem.extra),
    });
}

function validationProblems(error: FastifyError): FieldProblem[] {
  return (error.validation ?? []).map((v) => {
    const base = `${error.validationContext ?? 'body'}${v.instancePath.replace(/\//g, '.')}`;
    const params = v.params as Record<string, unknown>;
    if (v.keyword === 'additionalProperties') return { path: `${base}.${String(params.additionalProperty)}`, message: 'unknown field' };
    if (v.keyword === 'required') return { path: `${base}.${String(params.missingProperty)}`, message: 'is required' };
    if (v.keyword === 'enum') return { path: base, message: `must be one of ${(params.allowedValues as unknown[]).join(', ')}` };
    return { path: base, message: v.message ?? 'is invalid' };
  });
}

/** Connection failures to Temporal (gRPC UNAVAILABLE / DEADLINE_EXCEEDED) or the database. */
function isUnavailable(error: unknown): boolean {
  for (let current = error, depth = 0; current && depth < 5; depth += 1) {
    const { code, name } = current as { code?: unknown; name?: unknown };
    if (code === 'ECONNREFUSED' || code === 'ECONNRESET' || code === 'ETIMEDOUT' || code === 'CONNECTION_CLOSED') return true;
    if (name === 'ServiceError' || name === 'TransportError') return true;
    if (code === 14 || code === 4) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

export function installProblemHandlers(app: FastifyInstance): void {
  // A path that exists under other methods answers 405 with Allow, before its body is read.
  app.addHook('onRequest', async (request) => {
    if (!request.is404) return;
    const url = request.url.split('?')[0]!;
    const matches = METHODS.map((method) => ({ method, route: app.findRoute({ method, url }) })).filter((m) => m.route);
    // A path that is a resource of its own (`/v1/playbooks/validate`) is not also the parametric one (`/v1/playbooks/:id`).
    const exact = matches.filter((m) => Object.keys(m.route!.params).length === 0);
    const allowed = (exact.length > 0 ? exact : matches).map((m) => m.method);
    if (allowed.length > 0) throw problems.methodNotAllowed(`${request.method} is not allowed on ${url}`, allowed);
  });
  app.setNotFoundHandler((request: FastifyRequest, reply: FastifyReply) =>
    sendProblem(reply, problems.notFound(`no route ${request.method} ${request.url.split('?')[0]}`)),
  );
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof ProblemError) return sendProblem(reply, error, request.url);
    if (error.validation) {
      return sendProblem(reply, problems.badRequest('the request does not match the schema', validationProblems(error)), request.url);
    }
    if (isUnavailable(error)) {
      request.log.warn({ err: error }, 'a dependency is unavailable');
      return sendProblem(reply, problems.unavailable('Temporal or the database cannot be reached; retry later'), request.url);
    }
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      return sendProblem(reply, new ProblemError(status, (error.code ?? 'client-error').toLowerCase(), 'Bad request', error.message), request.url);
    }
    request.log.error({ err: error }, 'unhandled error');
    return sendProblem(reply, new ProblemError(500, 'internal', 'Internal error', 'the server could not answer; see its log'), request.url);
  });
}
