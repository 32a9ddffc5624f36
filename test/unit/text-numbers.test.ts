/**
 * Numbers in a query string, a path or a header are written in decimal digits: Ajv alone would
 * coerce `0.0`, `0x10`, `1e2` and ` 7` into integers (Schemathesis found `?after=0.0` taken as 0).
 * A real Fastify app with the API's validation and problem handlers, called by `inject`.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installProblemHandlers } from '../../api/problem.js';
import { installValidation, numberFields } from '../../api/validation.js';

let app: FastifyInstance;

beforeAll(async () => {
  app = Fastify();
  installValidation(app, []);
  installProblemHandlers(app);
  const querystring = {
    type: 'object',
    properties: { after: { type: 'integer', minimum: 0 }, share: { type: 'number' }, limit: { type: 'integer', default: 100 }, q: { type: 'string' } },
  };
  const params = { type: 'object', properties: { seq: { type: 'integer', minimum: 1 } } };
  app.get('/items/:seq', { schema: { querystring, params } }, async (request) => ({ query: request.query, params: request.params }));
  app.post('/items', { schema: { body: { type: 'object', properties: { after: { type: 'integer' } } } } }, async (request) => request.body);
  await app.ready();
});
afterAll(async () => app?.close());

const get = (url: string) => app.inject({ method: 'GET', url });

describe('numbers in text', () => {
  it('takes decimal digits as numbers, with defaults', async () => {
    const answer = await get('/items/7?after=0&share=0.25&q=1e2');
    expect(answer.statusCode, answer.body).toBe(200);
    expect(answer.json()).toEqual({ query: { after: 0, share: 0.25, limit: 100, q: '1e2' }, params: { seq: 7 } });
    const below = await get('/items/7?after=-1'); // spelled right, and the schema's minimum still applies
    expect(below.statusCode).toBe(400);
    expect(below.body).toContain('must be >= 0');
  });

  it.each(['0.0', '0x10', '1e2', '%207', '7%20', '', '%2B7', 'Infinity', '1_000'])('refuses ?after=%s with a reason', async (text) => {
    const answer = await get(`/items/7?after=${text}`);
    expect(answer.statusCode, answer.body).toBe(400);
    expect(answer.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(answer.body).toContain('must be an integer in decimal digits');
    expect(answer.body.length).toBeLessThan(1000);
  });

  it('refuses a number in another spelling, a path integer alike, and a repeated value spelled wrong', async () => {
    for (const url of ['/items/7?share=.5', '/items/7?share=5.', '/items/7?share=0x1', '/items/0x7', '/items/7.0', '/items/7?after=1&after=0.0']) {
      const answer = await get(url);
      expect(answer.statusCode, `${url}: ${answer.body}`).toBe(400);
      expect(answer.body).toMatch(/must be an? (integer|number) in decimal digits|must be integer/);
    }
  });

  it('leaves a JSON body to the body validator (typed, never coerced)', async () => {
    const typed = await app.inject({ method: 'POST', url: '/items', payload: { after: 3 } });
    expect(typed.json()).toEqual({ after: 3 });
    expect((await app.inject({ method: 'POST', url: '/items', payload: { after: '3' } })).statusCode).toBe(400);
  });

  it('finds the number fields of a text part, and none where a string is also allowed', () => {
    const fields = numberFields({ type: 'object', properties: { a: { type: 'integer' }, b: { type: ['number', 'null'] }, c: { type: ['integer', 'string'] }, d: {} } });
    expect([...fields]).toEqual([
      ['a', 'integer'],
      ['b', 'number'],
    ]);
    expect(numberFields(true).size).toBe(0);
  });
});
