/**
 * Limits on abuse: requests a minute per token (per address without one) with @fastify/rate-limit,
 * requests in flight per token, and security headers with @fastify/helmet. The defaults are out
 * of reach of a person working by hand and of a SIEM posting batches, and in reach of a runaway
 * script: 600 requests a minute for people, 6,000 on the alert routes, 32 in flight per token.
 */
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { bearerToken } from './auth.js';
import { ProblemError } from './problem.js';

export interface AbuseLimits {
  /** Requests a window per token, or per address for requests without one (IRFLOW_RATE_LIMIT). */
  perWindow: number;
  /** The same on the routes SIEMs post alerts to (IRFLOW_INGEST_RATE_LIMIT). */
  ingestPerWindow: number;
  /** The window, in ms (IRFLOW_RATE_LIMIT_WINDOW_MS; a minute). */
  windowMs: number;
  /** Requests one token may have in flight at once (IRFLOW_MAX_IN_FLIGHT). */
  inFlightPerToken: number;
}

export const DEFAULT_ABUSE_LIMITS: AbuseLimits = { perWindow: 600, ingestPerWindow: 6000, windowMs: 60_000, inFlightPerToken: 32 };

type Count = { current: number; ttl: number };
type CountCallback = (error: Error | null, count?: Count) => void;
interface CountingStore {
  incr(key: string, done: CountCallback, timeWindow: number, max: number): void;
}
const LocalStore = createRequire(import.meta.url)('@fastify/rate-limit/store/LocalStore.js') as new (continueExceeding: boolean, exponentialBackoff: boolean, cache: number) => CountingStore;

/**
 * The plugin's in-memory store, answering each request with its own count. The store itself
 * hands every request the one object it keeps per key, and the plugin reads it after an await:
 * requests arriving together all read the last count, so a burst one over the limit was refused
 * whole (measured: 6 concurrent requests against a limit of 5, all six 429).
 */
class SnapshotStore {
  private readonly local = new LocalStore(false, false, 5000);
  incr(key: string, done: CountCallback, timeWindow: number, max: number): void {
    this.local.incr(key, (error, count) => done(error, count && { ...count }), timeWindow, max);
  }
  child(): SnapshotStore {
    return this;
  }
}

/** Probes of an orchestrator are never limited. */
const UNLIMITED = new Set(['/healthz', '/readyz']);

const requesters = new WeakMap<FastifyRequest, string>();

/**
 * Who a request counts against: its token (hashed: the key may be logged or kept), else its
 * address. Worked out once a request, for the rate and the in-flight limit alike.
 */
function requester(request: FastifyRequest): string {
  let key = requesters.get(request);
  if (key === undefined) {
    const token = bearerToken(request);
    key = token ? `token:${createHash('sha256').update(token).digest('base64url').slice(0, 22)}` : `ip:${request.ip}`;
    requesters.set(request, key);
  }
  return key;
}

const tooMany = (detail: string, retryAfterSeconds: number) =>
  new ProblemError(429, 'too-many-requests', 'Too many requests', detail, {}, { 'retry-after': String(Math.max(1, retryAfterSeconds)) });

function limitInFlight(app: FastifyInstance, cap: number): void {
  const inFlight = new Map<string, number>();
  app.addHook('onRequest', async (request, reply) => {
    if (UNLIMITED.has(request.url)) return;
    const key = requester(request);
    const now = (inFlight.get(key) ?? 0) + 1;
    if (now > cap) throw tooMany(`at most ${cap} requests in flight per token; wait for some to finish`, 1);
    inFlight.set(key, now);
    // 'close' comes once for every response, sent or abandoned by the client.
    reply.raw.once('close', () => {
      const left = (inFlight.get(key) ?? 1) - 1;
      if (left <= 0) inFlight.delete(key);
      else inFlight.set(key, left);
    });
  });
}

export async function installAbuseLimits(app: FastifyInstance, limits: AbuseLimits): Promise<void> {
  // API answers are JSON: nothing in them may run or be framed. The docs page sets its own policy.
  await app.register(helmet, {
    contentSecurityPolicy: { directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } },
    crossOriginResourcePolicy: { policy: 'same-origin' },
  });
  // An app-level hook, added before authentication's: a flood of unknown tokens is limited before
  // each of them costs a key lookup.
  await app.register(rateLimit, { global: false, store: SnapshotStore });
  app.addHook(
    'onRequest',
    app.rateLimit({
      timeWindow: limits.windowMs,
      max: (request) => (request.routeOptions.config.roles?.includes('ingest') ? limits.ingestPerWindow : limits.perWindow),
      keyGenerator: requester,
      allowList: (request) => UNLIMITED.has(request.url),
      errorResponseBuilder: (_request, context) =>
        tooMany(`at most ${context.max} requests in ${Math.round(limits.windowMs / 1000)} s per token; retry after ${context.after}`, Math.ceil(context.ttl / 1000)),
    }),
  );
  limitInFlight(app, limits.inFlightPerToken);
}
