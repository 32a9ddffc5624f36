/** Authentication, roles, problem details, limits and the published API description. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertBody, postAlert } from '../support/incidents.js';
import { startStack, type Stack } from '../support/stack.js';

let stack: Stack;
let incidentId: string;
const tokens: Record<string, string> = {};

beforeAll(async () => {
  stack = await startStack();
  for (const role of ['ingest', 'analyst', 'auditor', 'approver', 'engineer'] as const) tokens[role] = await stack.token([role], role);
  incidentId = (await postAlert(stack, tokens.ingest!, alertBody())).incidentId;
});
afterAll(async () => stack?.close());

describe('authentication', () => {
  it('answers 401 problem+json without a token, with a malformed header, or an unknown token', async () => {
    for (const authorization of [undefined, 'Basic abc', 'Bearer irf_not-a-real-token']) {
      const response = await stack.app.inject({ method: 'GET', url: '/v1/incidents', headers: authorization ? { authorization } : {} });
      expect(response.statusCode, `authorization: ${authorization}`).toBe(401);
      expect(response.headers['content-type']).toContain('application/problem+json');
      expect(response.json()).toMatchObject({ status: 401, type: 'urn:irflow:problem:unauthorized' });
    }
  });

  it('stores only a hash of a token, shows it once, and stops honouring it when revoked', async () => {
    const created = await stack.call('POST', '/v1/api-keys', stack.adminToken, { name: 'temp', roles: ['analyst'] });
    expect(created.status).toBe(201);
    expect(created.body.token).toMatch(/^irf_/);
    const rows = await stack.database.db.query.apiKeys.findMany();
    expect(JSON.stringify(rows)).not.toContain(created.body.token);
    const listed = await stack.call('GET', '/v1/api-keys', stack.adminToken);
    expect(listed.body.apiKeys.find((k: { id: string }) => k.id === created.body.id)).not.toHaveProperty('token');
    expect((await stack.call('GET', '/v1/incidents', created.body.token)).status).toBe(200);
    expect((await stack.call('DELETE', `/v1/api-keys/${created.body.id}`, stack.adminToken)).status).toBe(204);
    expect((await stack.call('GET', '/v1/incidents', created.body.token)).status).toBe(401);
    expect((await stack.call('DELETE', `/v1/api-keys/${created.body.id}`, stack.adminToken)).status).toBe(404);
  });

  it('rejects unknown roles when creating a key', async () => {
    const response = await stack.call('POST', '/v1/api-keys', stack.adminToken, { name: 'x', roles: ['root'] });
    expect(response.status).toBe(400);
  });
});

describe('roles', () => {
  const cases: Array<[string, string, string, () => unknown, number[]]> = [
    ['ingest', 'GET', '/v1/incidents', () => undefined, [403]],
    ['ingest', 'POST', '/v1/alerts/generic', () => alertBody(), [202]],
    ['analyst', 'POST', '/v1/alerts/generic', () => alertBody(), [403]],
    ['analyst', 'GET', '/v1/incidents/:id', () => undefined, [200]],
    ['analyst', 'GET', '/v1/incidents/:id/history', () => undefined, [200]],
    ['analyst', 'GET', '/v1/incidents/:id/history/verify', () => undefined, [403]],
    ['analyst', 'POST', '/v1/api-keys', () => ({ name: 'n', roles: ['admin'] }), [403]],
    ['auditor', 'GET', '/v1/incidents/:id', () => undefined, [200]],
    ['auditor', 'GET', '/v1/incidents/:id/history', () => undefined, [200]],
    ['auditor', 'GET', '/v1/incidents/:id/history/verify', () => undefined, [200]],
    ['auditor', 'POST', '/v1/incidents/:id/transitions', () => ({ event: 'acknowledge' }), [403]],
    ['auditor', 'POST', '/v1/incidents', () => ({ title: 't', severity: 'low' }), [403]],
    ['auditor', 'POST', '/v1/alerts/generic', () => alertBody(), [403]],
    ['approver', 'GET', '/v1/incidents/:id', () => undefined, [200]],
    ['approver', 'POST', '/v1/incidents/:id/transitions', () => ({ event: 'acknowledge' }), [403]],
    ['engineer', 'GET', '/v1/incidents', () => undefined, [403]],
  ];
  for (const [role, method, path, body, statuses] of cases) {
    it(`${role}: ${method} ${path} → ${statuses.join('/')}`, async () => {
      const response = await stack.call(method as 'GET', path.replace(':id', incidentId), tokens[role]!, body());
      expect(statuses, JSON.stringify(response.body)).toContain(response.status);
    });
  }
});

describe('input handling', () => {
  it('answers unknown incidents with 404 problem+json', async () => {
    for (const path of ['/v1/incidents/INC-NOPE', '/v1/incidents/INC-NOPE/history']) {
      const response = await stack.call('GET', path, tokens.analyst!);
      expect(response.status).toBe(404);
      expect(response.body.type).toBe('urn:irflow:problem:not-found');
    }
    expect((await stack.call('POST', '/v1/incidents/INC-NOPE/transitions', tokens.analyst!, { event: 'acknowledge' })).status).toBe(404);
  });

  it('rejects unknown fields and wrong types with every error and its path', async () => {
    const response = await stack.call('POST', '/v1/incidents', tokens.analyst!, { title: '', severity: 'huge', owner: 'bob' });
    expect(response.status).toBe(400);
    const paths = response.body.errors.map((e: { path: string }) => e.path);
    expect(paths).toEqual(expect.arrayContaining(['body.title', 'body.severity', 'body.owner']));
  });

  it('answers malformed JSON and oversized bodies with 4xx problems', async () => {
    const malformed = await stack.app.inject({
      method: 'POST',
      url: '/v1/alerts/generic',
      headers: { authorization: `Bearer ${tokens.ingest}`, 'content-type': 'application/json' },
      payload: '{"sourceId": ',
    });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.headers['content-type']).toContain('application/problem+json');
    const huge = await stack.call('POST', '/v1/alerts/generic', tokens.ingest!, alertBody({ raw: { blob: 'x'.repeat(2 * 1024 * 1024) } }));
    expect(huge.status).toBe(413);
  });

  it('answers input Postgres or the stack could not take with a 4xx and a reason, never a 500', async () => {
    const analyst = tokens.analyst!;
    const cases: Array<[string, string, unknown, number]> = [
      ['GET', '/v1/incidents?slaDueWithin=8205770w', undefined, 400],
      ['GET', '/v1/incidents?slaDueWithin=9999w', undefined, 200],
      ['GET', '/v1/playbooks/default/versions/4794461024', undefined, 400],
      ['GET', '/v1/playbooks/default/versions/4794461024/diagram', undefined, 400],
      ['GET', `/v1/incidents/${incidentId}?asOf=0000-01-01T00:00:00Z`, undefined, 400],
      ['GET', '/v1/kpis?from=0000-01-01', undefined, 400],
    ];
    for (const [method, url, body, status] of cases) {
      const response = await stack.call(method as 'GET', url, ['/v1/kpis'].some((p) => url.startsWith(p)) ? stack.adminToken : analyst, body);
      expect(response.status, `${method} ${url}: ${JSON.stringify(response.body)}`).toBe(status);
    }
    const log = await stack.call('GET', '/v1/access-log?before=27408213921036206080', tokens.auditor!);
    expect(log.status).toBe(400);
    const old = await stack.call('POST', '/v1/alerts/generic', tokens.ingest!, alertBody({ detectedAt: '0000-01-01T00:00:00Z' }));
    expect(old.status).toBe(400);
  });

  it('refuses free JSON nested deeper than 64 levels with a 400 that says where', async () => {
    const raw = `${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`;
    const payload = JSON.stringify(alertBody({ raw: 'RAW' })).replace('"RAW"', raw);
    const response = await stack.call('POST', '/v1/alerts/generic', tokens.ingest!, payload, { 'content-type': 'application/json' });
    expect(response.status).toBe(400);
    expect(response.body.errors[0]).toMatchObject({ path: expect.stringMatching(/^body\.raw(\.a)+$/), message: 'nests deeper than 64 levels' });
    let fields: unknown = 'x';
    for (let i = 0; i < 100; i += 1) fields = [fields];
    expect((await stack.call('POST', `/v1/incidents/${incidentId}/transitions`, tokens.analyst!, { event: 'acknowledge', fields: { deep: fields } })).status).toBe(400);
  });

  it('keeps error bodies small: at most 50 errors, and how many more there were', async () => {
    const rows = Array.from({ length: 5_000 }, () => ({}));
    const response = await stack.call('PUT', '/v1/context/assets', tokens.engineer!, rows);
    expect(response.status).toBe(422);
    expect(response.body.errors).toHaveLength(50);
    expect(response.body.moreErrors).toBeGreaterThan(5_000);
    expect(JSON.stringify(response.body).length).toBeLessThan(16_000);
  });

  it('takes a JSON body as typed: no string from a boolean or a number', async () => {
    const response = await stack.call('POST', '/v1/incidents', tokens.analyst!, { title: true, severity: 'low', description: 12 });
    expect(response.status).toBe(400);
    expect(response.body.errors.map((e: { path: string }) => e.path)).toEqual(expect.arrayContaining(['body.title', 'body.description']));
    const query = await stack.call('GET', '/v1/incidents?limit=2&open=true', tokens.analyst!);
    expect(query.status, 'query strings are still read as numbers and booleans').toBe(200);
  });

  it('answers a YAML alias bomb with 422 and the reason', async () => {
    const levels = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (const [from, to] of [['a', 'b'], ['b', 'c'], ['c', 'd'], ['d', 'e'], ['e', 'f'], ['f', 'g'], ['g', 'h']] as const) levels.push(`${to}: &${to} [${Array(9).fill(`*${from}`).join(',')}]`);
    const response = await stack.call('POST', '/v1/playbooks/validate', tokens.engineer!, levels.join('\n'), { 'content-type': 'application/yaml' });
    expect(response.status).toBe(422);
    expect(response.body.errors[0].message).toMatch(/Excessive alias count/);
  });

  it('answers a method a path does not take with 405 and Allow, before reading any body', async () => {
    const response = await stack.app.inject({ method: 'DELETE', url: `/v1/incidents/${incidentId}`, headers: { authorization: `Bearer ${tokens.analyst}` } });
    expect(response.statusCode).toBe(405);
    expect(response.headers.allow).toBe('GET, HEAD');
    expect(response.headers['content-type']).toContain('application/problem+json');
    const query = await stack.app.inject({ method: 'QUERY' as 'GET', url: '/v1/incidents', headers: { authorization: `Bearer ${tokens.analyst}` } });
    expect(query.statusCode).toBe(405);
    expect(query.headers.allow).toBe('GET, HEAD, POST');
  });

  it('answers unknown routes with 404 problem+json', async () => {
    const response = await stack.app.inject({ method: 'GET', url: '/v2/nothing' });
    expect(response.statusCode).toBe(404);
    expect(response.headers['content-type']).toContain('application/problem+json');
  });
});

describe('service endpoints', () => {
  it('is live and ready when Temporal and the database answer', async () => {
    expect((await stack.app.inject({ method: 'GET', url: '/healthz' })).json()).toEqual({ status: 'ok' });
    const ready = await stack.app.inject({ method: 'GET', url: '/readyz' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toEqual({ status: 'ready', checks: { database: 'ok', temporal: 'ok' } });
  });

  it('publishes OpenAPI 3 with every v1 route and serves the docs', async () => {
    const spec = (await stack.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    expect(spec.openapi).toMatch(/^3\./);
    for (const path of ['/v1/alerts/generic', '/v1/alerts/wazuh', '/v1/alerts/{alertId}', '/v1/incidents', '/v1/incidents/{id}', '/v1/incidents/{id}/transitions', '/v1/incidents/{id}/history', '/v1/incidents/{id}/history/verify', '/v1/api-keys']) {
      expect(spec.paths, path).toHaveProperty([path]);
    }
    // OpenAPI 3.0 schemas are not JSON Schema 2020-12: exclusive bounds are booleans, and a numeric
    // one makes tools (Schemathesis) refuse the whole operation.
    const numericExclusive: string[] = [];
    const walk = (node: unknown, at: string) => {
      if (!node || typeof node !== 'object') return;
      for (const [key, value] of Object.entries(node)) {
        if ((key === 'exclusiveMinimum' || key === 'exclusiveMaximum') && typeof value === 'number') numericExclusive.push(`${at}/${key}`);
        walk(value, `${at}/${key}`);
      }
    };
    walk(spec.paths, '#/paths');
    expect(numericExclusive).toEqual([]);
    const docs = await stack.app.inject({ method: 'GET', url: '/docs/' });
    expect(docs.statusCode).toBe(200);
    expect(docs.body).toContain('swagger');
  });
});
