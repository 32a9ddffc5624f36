/**
 * Single sign-on against a real OpenID provider (oidc-provider) on loopback: a signed-in analyst
 * works an incident and is the actor of its ledger; tokens that are expired, for another
 * audience, from another issuer, signed by a key the issuer does not publish, tampered with, or
 * signed with a shared secret are 401; rotated keys are picked up; a provider that cannot be
 * reached is 503.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { decodeJwt, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOidcVerifier, type OidcSettings } from '../../api/oidc.js';
import { eventually } from '../support/eventually.js';
import { signingKey, startTestProvider, type Person, type TestProvider } from '../support/oidc-provider.js';
import { startStack, type Stack } from '../support/stack.js';

const AUDIENCE = 'https://irflow.test/api';
const people: Record<string, Person> = {
  alice: { groups: ['soc-l1'], name: 'Alice Analyst' },
  brief: { groups: ['soc-l1'], ttlSeconds: 1 },
  guest: { groups: ['marketing'] },
  grace: { groups: ['grc'] },
};
const roleMap = { 'soc-l1': ['analyst'], grc: ['auditor'] } as const;

let stack: Stack;
let provider: TestProvider;
let settings: OidcSettings;
const keys = { first: await signingKey('first'), second: await signingKey('second') };

beforeAll(async () => {
  provider = await startTestProvider({ people, audience: AUDIENCE, keys: [keys.first] });
  settings = { issuer: provider.issuer, audience: AUDIENCE, rolesClaim: 'groups', roleMap, jwksCooldownMs: 0, clockToleranceSeconds: 0 };
  stack = await startStack({ oidc: createOidcVerifier(settings) });
});

afterAll(async () => {
  await stack?.close();
  await provider?.close();
});

const list = (token: string) => stack.call('GET', '/v1/incidents', token);

describe('single sign-on', () => {
  it('lets a signed-in analyst work an incident, recorded as oidc:<subject>', async () => {
    const token = await provider.token('alice');
    const reported = await stack.call('POST', '/v1/incidents', token, { title: 'Phishing reported by finance', severity: 'medium' });
    expect(reported.status, JSON.stringify(reported.body)).toBe(201);
    const auditor = await provider.token('grace');
    const history = await eventually(
      () => stack.call('GET', `/v1/incidents/${reported.body.id}/history`, auditor),
      (answer) => answer.status === 200 && answer.body.events.length > 0,
      'the reported incident has a history',
    );
    expect(history.body.events[0].actor).toBe('oidc:alice');
    // A transition by her carries her name beside the subject; the subject is what the two-person rule compares.
    const moved = await stack.call('POST', `/v1/incidents/${reported.body.id}/transitions`, token, { event: 'acknowledge' });
    expect(moved.status, JSON.stringify(moved.body)).toBe(200);
    const events = (await stack.call('GET', `/v1/incidents/${reported.body.id}/history`, auditor)).body.events as Array<{ type: string; actor: string; data: { actorName?: string } }>;
    expect(events.find((e) => e.type === 'transitioned')).toMatchObject({ actor: 'oidc:alice', data: { actorName: 'Alice Analyst' } });
    const access = await stack.call('GET', `/v1/access-log?incidentId=${reported.body.id}`, auditor);
    expect(access.body.entries.map((e: { actor: string }) => e.actor)).toContain('oidc:grace');
  });

  it('refuses a person whose groups map to no irflow role (403), and tokens for another audience (401)', async () => {
    const guest = await list(await provider.token('guest'));
    expect(guest.status).toBe(403);
    expect(guest.body.detail).toContain('no irflow role');
    const elsewhere = await list(await provider.token('alice', 'https://another-api.test'));
    expect(elsewhere.status).toBe(401);
    expect(elsewhere.body.detail).toContain('aud');
  });

  it('refuses an expired token', async () => {
    const token = await provider.token('brief');
    expect((await list(token)).status).toBe(200);
    const { exp } = decodeJwt(token);
    // Waits until the token is past its expiry: the assertion holds however late it runs.
    while (Date.now() / 1000 <= exp! + 1) await sleep(250);
    const answer = await list(token);
    expect(answer.status).toBe(401);
    expect(answer.body.detail).toBe('the token has expired');
  });

  it('refuses a token from another issuer, even one signed with the same key', async () => {
    const other = await startTestProvider({ people, audience: AUDIENCE, keys: [keys.first] });
    try {
      const answer = await list(await other.token('alice'));
      expect(answer.status).toBe(401);
      expect(answer.body.detail).toContain('iss');
    } finally {
      await other.close();
    }
  });

  it('refuses a token naming the issuer but signed by a key it does not publish', async () => {
    const impostor = await startTestProvider({ people, audience: AUDIENCE, issuer: provider.issuer, keys: [await signingKey('impostor')] });
    try {
      const answer = await list(await impostor.token('alice'));
      expect(answer.status).toBe(401);
      expect(answer.body.detail).toBe('the token is signed with a key the issuer does not publish');
    } finally {
      await impostor.close();
    }
  });

  it('refuses a token whose claims were changed after signing, and one signed with a shared secret', async () => {
    const [header, payload, signature] = (await provider.token('guest')).split('.') as [string, string, string];
    const claims = { ...JSON.parse(Buffer.from(payload, 'base64url').toString()), groups: ['soc-l1', 'grc'] };
    const tampered = `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${signature}`;
    const answer = await list(tampered);
    expect(answer.status).toBe(401);
    expect(answer.body.detail).toBe('the token signature does not verify');

    const hmac = await new SignJWT({ groups: ['soc-l1'] })
      .setProtectedHeader({ alg: 'HS256', kid: 'first' })
      .setIssuer(provider.issuer)
      .setAudience(AUDIENCE)
      .setSubject('mallory')
      .setExpirationTime('5m')
      .sign(new TextEncoder().encode('a secret anyone could guess, or the public key'));
    expect((await list(hmac)).status).toBe(401);
  });

  it('takes tokens signed with a rotated key, and those of the old key while it is published', async () => {
    const before = await provider.token('alice');
    const port = Number(new URL(provider.url).port);
    await provider.close();
    provider = await startTestProvider({ people, audience: AUDIENCE, keys: [keys.second, keys.first], port });
    const after = await provider.token('alice');
    expect(decodeJwt(after).sub).toBe('alice');
    expect((await list(after)).status).toBe(200);
    expect((await list(before)).status).toBe(200);
  });

  it('answers 503 while the provider cannot be reached, and recovers when it can', async () => {
    const port = Number(new URL(provider.url).port);
    const token = await provider.token('alice');
    await provider.close();
    const fresh = await startStack({ worker: false, oidc: createOidcVerifier(settings) });
    try {
      const down = await fresh.call('GET', '/v1/incidents', token);
      expect(down.status).toBe(503);
      expect(down.headers['retry-after']).toBeDefined();
      provider = await startTestProvider({ people, audience: AUDIENCE, keys: [keys.second, keys.first], port });
      expect((await fresh.call('GET', '/v1/incidents', token)).status).toBe(200);
    } finally {
      await fresh.close();
    }
  });
});
