/**
 * No token in the service log: the bearer tokens of requests (accepted, unknown, forbidden), a
 * token the API hands out, and fields named like secrets in whatever code logs them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertBody } from '../support/incidents.js';
import { startStack, type Stack } from '../support/stack.js';

let stack: Stack;
const logLines: string[] = [];

beforeAll(async () => {
  stack = await startStack({ logger: { level: 'debug', stream: { write: (line: string) => void logLines.push(line) } } });
});
afterAll(async () => stack?.close());

describe('the service log', () => {
  it('holds no token, whoever sends or receives it', async () => {
    const created = await stack.call('POST', '/v1/api-keys', stack.adminToken, { name: 'log-redaction-siem', roles: ['ingest'] });
    expect(created.status).toBe(201);
    const handedOut = created.body.token as string;
    const unknown = 'irf_unknown_0123456789abcdef';
    expect((await stack.call('POST', '/v1/alerts/generic', handedOut, alertBody())).status).toBe(202);
    expect((await stack.call('GET', '/v1/incidents', unknown)).status).toBe(401);
    expect((await stack.call('GET', '/v1/api-keys', handedOut)).status).toBe(403);
    expect((await stack.call('GET', '/v1/incidents', stack.adminToken)).status).toBe(200);
    stack.app.log.warn({ headers: { authorization: `Bearer ${handedOut}` }, token: handedOut, connector: { secret: handedOut } }, 'a careless log line');

    const text = logLines.join('');
    expect(logLines.filter((line) => line.includes('"url":"/v1/')).length, 'requests were logged').toBeGreaterThan(4);
    expect(text).toContain('a careless log line');
    for (const token of [stack.adminToken, handedOut, unknown]) expect(text, 'a token in the log').not.toContain(token);
    expect(text).toContain('[redacted]');
  });
});
