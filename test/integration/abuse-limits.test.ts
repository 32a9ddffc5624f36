/**
 * Limits on abuse, through the API's real HTTP server: requests a window per token (and per
 * address without one) answer 429 with Retry-After once spent and recover after the window; the
 * alert routes take more; a token may have only so many requests in flight; security headers.
 */
import { request as httpRequest, type ClientRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../api/app.js';
import { createPlaybookCatalog } from '../../api/playbook-catalog.js';
import { alertBody } from '../support/incidents.js';
import { eventually } from '../support/eventually.js';
import { startStack, type Stack } from '../support/stack.js';

const WINDOW_MS = 3000;
let stack: Stack;
let analyst: string;
let other: string;
let ingest: string;

beforeAll(async () => {
  stack = await startStack({ limits: { perWindow: 5, ingestPerWindow: 20, windowMs: WINDOW_MS, inFlightPerToken: 1000 } });
  analyst = await stack.token(['analyst'], 'ana');
  other = await stack.token(['analyst'], 'otto');
  ingest = await stack.token(['ingest'], 'siem');
});
afterAll(async () => stack?.close());

const statuses = async (token: string | undefined, n: number, url = '/v1/incidents?limit=1') =>
  (await Promise.all(Array.from({ length: n }, () => stack.app.inject({ method: 'GET', url, headers: token ? { authorization: `Bearer ${token}` } : {} })))).map((r) => r.statusCode);

describe('requests a window', () => {
  it('answers 429 with Retry-After once a token has spent its window, other tokens unaffected, and recovers', async () => {
    const burst = await statuses(analyst, 6);
    expect(burst.filter((s) => s === 200)).toHaveLength(5);
    const refused = await stack.app.inject({ method: 'GET', url: '/v1/incidents?limit=1', headers: { authorization: `Bearer ${analyst}` } });
    expect(refused.statusCode).toBe(429);
    expect(refused.headers['content-type']).toContain('application/problem+json');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(refused.json()).toMatchObject({ type: 'urn:irflow:problem:too-many-requests', status: 429 });
    expect(await statuses(other, 1)).toEqual([200]);
    await eventually(async () => (await statuses(analyst, 1))[0], (s) => s === 200, 'the token recovers after its window', 200, 100);
  });

  it('limits requests without a token by address, before any key is looked up', async () => {
    const answers = await statuses(undefined, 7);
    expect(answers.filter((s) => s === 401)).toHaveLength(5);
    expect(answers.filter((s) => s === 429)).toHaveLength(2);
  });

  it('gives the alert routes more, and never limits health probes', async () => {
    const posts = await Promise.all(Array.from({ length: 8 }, () => stack.call('POST', '/v1/alerts/generic', ingest, alertBody())));
    expect(posts.map((p) => p.status)).toEqual(Array(8).fill(202));
    expect((await statuses(undefined, 10, '/healthz')).every((s) => s === 200)).toBe(true);
  });

  it('sends security headers, and the docs page its own policy', async () => {
    const answer = await stack.app.inject({ method: 'GET', url: '/v1/incidents?limit=1', headers: { authorization: `Bearer ${other}` } });
    expect(answer.headers['content-security-policy']).toContain("default-src 'none'");
    expect(answer.headers['x-content-type-options']).toBe('nosniff');
    expect(answer.headers['x-frame-options']).toBe('SAMEORIGIN');
    const docs = await stack.app.inject({ method: 'GET', url: '/docs/', headers: { authorization: `Bearer ${other}` } });
    expect(docs.statusCode).toBe(200);
    expect(docs.headers['content-security-policy']).not.toContain("default-src 'none'");
  });
});

describe('requests in flight', () => {
  let app: FastifyInstance;
  let url: URL;
  beforeAll(async () => {
    app = await buildApp({ db: stack.database.db, temporal: stack.client, taskQueue: stack.taskQueue, playbooks: createPlaybookCatalog(stack.database.db), limits: { inFlightPerToken: 2 } });
    url = new URL(await app.listen({ port: 0, host: '127.0.0.1' }));
  });
  afterAll(async () => app?.close());

  /** A request whose body is still coming: in flight until `end`. */
  const slow = (): { request: ClientRequest; status: Promise<number> } => {
    const request = httpRequest(new URL('/v1/alerts/generic', url), { method: 'POST', headers: { authorization: `Bearer ${ingest}`, 'content-type': 'application/json' } });
    const status = new Promise<number>((resolve, reject) => request.on('response', (r) => (r.resume(), resolve(r.statusCode!))).on('error', reject));
    request.write('[');
    return { request, status };
  };

  it('answers 429 past the cap, and takes requests again once those in flight are done', async () => {
    const held = [slow(), slow()];
    await eventually(async () => (await fetch(new URL('/v1/incidents?limit=1', url), { headers: { authorization: `Bearer ${ingest}` } })).status, (s) => s === 429, 'the third request is refused', 100, 50);
    for (const { request } of held) request.end(`${JSON.stringify(alertBody())}]`);
    expect(await Promise.all(held.map((h) => h.status))).toEqual([202, 202]);
    await eventually(async () => (await fetch(new URL('/v1/alerts/generic', url), { method: 'POST', headers: { authorization: `Bearer ${ingest}`, 'content-type': 'application/json' }, body: JSON.stringify(alertBody()) })).status, (s) => s === 202, 'a request after them is taken', 100, 50);
  });
});
