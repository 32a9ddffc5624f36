/**
 * API keys that expire, ingest keys that must sign their alerts, and requests that must arrive
 * in time, through the HTTP API on a real Temporal server and database.
 */
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signAlertBody } from '../../api/alert-signature.js';
import { findActiveKeyByToken } from '../../db/api-keys.repo.js';
import { apiKeys } from '../../db/schema.js';
import { eq, sql } from 'drizzle-orm';
import { wazuhAlert } from '../support/siem-payloads.js';
import { startStack, type Stack } from '../support/stack.js';

const SECRET = 'a-32-byte-secret-a-32-byte-secret';
let stack: Stack;

beforeAll(async () => {
  stack = await startStack({ worker: false, secrets: { IRFLOW_SECRET_WAZUH_HMAC: SECRET } });
});
afterAll(async () => stack?.close());

async function makeKey(body: Record<string, unknown>) {
  return stack.call('POST', '/v1/api-keys', stack.adminToken, body);
}

describe('keys that expire', () => {
  it('takes a key until its expiry and refuses it after, like a revoked one', async () => {
    const made = await makeKey({ name: 'contractor', roles: ['analyst'], expiresInDays: 30 });
    expect(made.status).toBe(201);
    const days = (Date.parse(made.body.expiresAt) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(29.9);
    expect(days).toBeLessThanOrEqual(30);
    expect((await stack.call('GET', '/v1/incidents', made.body.token)).status).toBe(200);
    // Injected time: at day 31 the key is gone.
    expect(await findActiveKeyByToken(stack.database.db, made.body.token, new Date(Date.now() + 31 * 86_400_000))).toBeUndefined();
    // The database's time passing: the expiry moved to a second ago.
    await stack.database.db.update(apiKeys).set({ expiresAt: sql`now() - interval '1 second'` }).where(eq(apiKeys.id, made.body.id));
    const refused = await stack.call('GET', '/v1/incidents', made.body.token);
    expect(refused.status).toBe(401);
    expect(refused.body.detail).toBe('the token is unknown, revoked or expired');
  });

  it('refuses expiries that are not a whole number of days from 1 to 3650', async () => {
    for (const expiresInDays of [0, 3651, 1.5, '30']) expect((await makeKey({ name: `bad-${String(expiresInDays)}`, roles: ['analyst'], expiresInDays })).status).toBe(400);
  });
});

describe('signed alerts', () => {
  let token: string;
  beforeAll(async () => {
    const made = await makeKey({ name: 'wazuh-signed', roles: ['ingest'], sources: ['wazuh'], signatureSecretEnv: 'IRFLOW_SECRET_WAZUH_HMAC' });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    token = made.body.token;
  });

  const post = (body: string, signature?: string, key = token) =>
    stack.call('POST', '/v1/alerts/wazuh', key, body, { 'content-type': 'application/json', ...(signature ? { 'x-irflow-signature': signature } : {}) });
  const now = () => Math.floor(Date.now() / 1000);

  it('takes a request signed over its timestamp and body', async () => {
    const body = JSON.stringify(wazuhAlert({ id: '1764000000.1' }));
    const t = now();
    const answer = await post(body, `t=${t},v1=${signAlertBody(SECRET, t, body)}`);
    expect(answer.status, JSON.stringify(answer.body)).toBe(202);
  });

  it('refuses an unsigned request, a bad signature, a changed body and a replay of an old request', async () => {
    const body = JSON.stringify(wazuhAlert({ id: '1764000000.2' }));
    const t = now();
    const good = signAlertBody(SECRET, t, body);
    expect((await post(body)).body.detail).toContain('this key signs its alerts');
    expect((await post(body, `t=${t},v1=${'0'.repeat(64)}`)).body.detail).toBe('the signature does not match the body');
    expect((await post(body.replace('1764000000.2', '1764000000.3'), `t=${t},v1=${good}`)).status).toBe(401);
    const old = t - 600;
    const replay = await post(body, `t=${old},v1=${signAlertBody(SECRET, old, body)}`);
    expect(replay.status).toBe(401);
    expect(replay.body.detail).toContain('more than 300 s');
    expect((await post(body, 'sha256=abc')).status).toBe(401);
  });

  it('takes any of several signatures while a secret is rotated', async () => {
    const body = JSON.stringify(wazuhAlert({ id: '1764000000.4' }));
    const t = now();
    const answer = await post(body, `t=${t},v1=${signAlertBody('the-old-secret', t, body)},v1=${signAlertBody(SECRET, t, body)}`);
    expect(answer.status).toBe(202);
  });

  it('refuses a signature from a key with no secret to check it with', async () => {
    const plain = (await makeKey({ name: 'wazuh-plain', roles: ['ingest'] })).body.token as string;
    const body = JSON.stringify(wazuhAlert({ id: '1764000000.5' }));
    const t = now();
    const answer = await post(body, `t=${t},v1=${signAlertBody(SECRET, t, body)}`, plain);
    expect(answer.status).toBe(401);
    expect(answer.body.detail).toContain('has no signing secret');
    expect((await post(body, undefined, plain)).status).toBe(202);
  });

  it('makes signing keys only for alert senders, with a secret that is set', async () => {
    const notIngest = await makeKey({ name: 'signing-analyst', roles: ['analyst'], signatureSecretEnv: 'IRFLOW_SECRET_WAZUH_HMAC' });
    expect([notIngest.status, notIngest.body.type]).toEqual([422, 'urn:irflow:problem:signature-needs-ingest']);
    const unset = await makeKey({ name: 'unset-secret', roles: ['ingest'], signatureSecretEnv: 'IRFLOW_SECRET_NOT_THERE' });
    expect([unset.status, unset.body.type]).toEqual([422, 'urn:irflow:problem:secret-not-set']);
    expect((await makeKey({ name: 'any-variable', roles: ['ingest'], signatureSecretEnv: 'DATABASE_URL' })).status).toBe(400);
  });
});

describe('request timeouts', () => {
  it('cuts off a client that never finishes its request', async () => {
    const { buildApp } = await import('../../api/app.js');
    const { createPlaybookCatalog } = await import('../../api/playbook-catalog.js');
    const app = await buildApp({ db: stack.database.db, temporal: stack.client, taskQueue: stack.taskQueue, playbooks: createPlaybookCatalog(stack.database.db), requestTimeoutMs: 1000 });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const socket = connect((app.server.address() as AddressInfo).port, '127.0.0.1');
    try {
      // Headers promise a body that never comes.
      socket.write(`POST /v1/alerts/generic HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${stack.adminToken}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{`);
      let answer = '';
      socket.on('data', (chunk: Buffer) => (answer += chunk.toString()));
      // A generous bound: the server cuts it off after about a second; a busy machine may take longer.
      const ended = await new Promise<boolean>((resolve) => {
        socket.once('close', () => resolve(true));
        setTimeout(() => resolve(false), 60_000).unref();
      });
      expect(ended, 'the server kept the connection open').toBe(true);
      expect(answer).toMatch(/^HTTP\/1\.1 408/);
    } finally {
      socket.destroy();
      await app.close();
    }
  });
});
