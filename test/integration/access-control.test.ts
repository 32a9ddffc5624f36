/**
 * Every cell of the route × role table (api/access.table.ts), generated: each route is called by
 * a holder of exactly one role, once with an API key and once with an OIDC access token from a
 * real provider, and without a token. A role the table allows must get past the guard (anything
 * but 401 and the guard's 403); a role it does not allow must get the guard's 403. Bodies are
 * empty objects, so an allowed call stops at its schema and writes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allows, ROUTE_ROLES, type RouteKey } from '../../api/access.table.js';
import { createOidcVerifier } from '../../api/oidc.js';
import { ROLES, type Role } from '../../db/api-keys.repo.js';
import { startStack, type Stack } from '../support/stack.js';
import { startTestProvider, type TestProvider } from '../support/oidc-provider.js';

const AUDIENCE = 'https://irflow.test/api';
const FORBIDDEN = 'urn:irflow:problem:forbidden';
const UNAUTHORIZED = 'urn:irflow:problem:unauthorized';

/** A route's path with its parameters filled by values that name nothing. */
function pathOf(key: RouteKey): { method: string; url: string } {
  const [method, path] = key.split(' ') as [string, string];
  const values: Record<string, string> = { id: 'INC-00000000-NOSUCH', alertId: 'no-such-alert', version: '1', kind: 'assets', name: 'mttr' };
  return { method, url: path.replace(/:(\w+)/g, (_, name: string) => values[name] ?? 'x') };
}

let stack: Stack;
let provider: TestProvider;
const keyOf = new Map<Role, string>();
const ssoOf = new Map<Role, string>();

beforeAll(async () => {
  const people = Object.fromEntries(ROLES.map((role) => [`person-${role}`, { groups: [`soc-${role}`] }]));
  provider = await startTestProvider({ people, audience: AUDIENCE });
  const roleMap = Object.fromEntries(ROLES.map((role) => [`soc-${role}`, [role]]));
  stack = await startStack({ worker: false, oidc: createOidcVerifier({ issuer: provider.issuer, audience: AUDIENCE, rolesClaim: 'groups', roleMap }) });
  for (const role of ROLES) {
    keyOf.set(role, await stack.token([role], `only-${role}`));
    ssoOf.set(role, await provider.token(`person-${role}`));
  }
});

afterAll(async () => {
  await stack?.close();
  await provider?.close();
});

async function call(key: RouteKey, token?: string) {
  const { method, url } = pathOf(key);
  const hasBody = method === 'POST' || method === 'PUT' || method === 'PATCH';
  const response = await stack.app.inject({
    method: method as 'GET',
    url,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(hasBody ? { 'content-type': 'application/json' } : {}) },
    ...(hasBody ? { payload: '{}' } : {}),
  });
  let type: string | undefined;
  try {
    type = (JSON.parse(response.body) as { type?: string }).type;
  } catch {
    type = undefined;
  }
  return { status: response.statusCode, type };
}

const routes = Object.keys(ROUTE_ROLES) as RouteKey[];

describe.each([
  ['an API key', keyOf],
  ['an OIDC access token', ssoOf],
] as const)('the route × role table, every cell, with %s', (_kind, tokens) => {
  it.each(routes)('%s', async (route) => {
    const wrong: string[] = [];
    for (const role of ROLES) {
      const { status, type } = await call(route, tokens.get(role));
      const guardRefused = status === 403 && type === FORBIDDEN;
      if (allows(route, role) && (status === 401 || guardRefused)) wrong.push(`${role} is allowed but got ${status} ${type}`);
      if (!allows(route, role) && !guardRefused) wrong.push(`${role} is not allowed but got ${status} ${type}`);
    }
    expect(wrong, `${route}: ${wrong.join('; ')}`).toEqual([]);
  });
});

describe('without a token', () => {
  it.each(routes)('%s answers 401', async (route) => {
    const { status, type } = await call(route);
    expect({ status, type }).toEqual({ status: 401, type: UNAUTHORIZED });
  });
});
