/**
 * The system chain (administration) and the access chain: every administrative change and every
 * read of a history lands in a hash-linked, signed chain that auditors read and verify; no secret
 * is kept there; concurrent appends leave no gaps; a forger's edit is found.
 */
import { and, asc, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GENESIS_HASH, eventHash } from '../../db/ledger.js';
import { auditChainEvents } from '../../db/audit.schema.js';
import { asForger } from '../support/forger.js';
import { closedIncident } from '../support/incidents.js';
import { shippedPlaybook } from '../support/playbooks.js';
import { loadConfig } from '../../runtime/config.js';
import { recordSettings } from '../../runtime/settings-record.js';
import { startStack, type Stack } from '../support/stack.js';

let stack: Stack;
let auditor: string;

beforeAll(async () => {
  stack = await startStack({ secrets: { IRFLOW_SECRET_HOOK: 'x' } });
  auditor = await stack.token(['auditor'], 'audrey');
});
afterAll(async () => stack?.close());

const chain = async (name: 'system' | 'access') => (await stack.call('GET', `/v1/audit/system?chain=${name}&limit=500`, auditor)).body.events as Array<{ seq: number; type: string; actor: string; data: Record<string, unknown> }>;
const verify = async (name: 'system' | 'access') => (await stack.call('GET', `/v1/audit/system/verify?chain=${name}`, auditor)).body;

describe('the system chain', () => {
  it('records every administrative change, by whom, and never a secret', async () => {
    const admin = stack.adminToken;
    const made = await stack.call('POST', '/v1/api-keys', admin, { name: 'siem-1', roles: ['ingest'], expiresInDays: 90 });
    expect((await stack.call('DELETE', `/v1/api-keys/${made.body.id}`, admin)).status).toBe(204);
    const channels = await stack.call('PUT', '/v1/notification-channels', admin, [{ id: 'soc', type: 'webhook', url: 'https://hooks.example.com/T0/B0/secretpath', secretEnv: 'IRFLOW_SECRET_HOOK' }]);
    expect(channels.status, JSON.stringify(channels.body)).toBe(200);
    await stack.call('PUT', '/v1/context/assets', await stack.token(['engineer']), [{ id: 'A-1', hostname: 'web01', ips: ['10.0.0.1'], owner: 'ops', businessUnit: 'bu', criticality: 'high' }]);
    const playbook = { ...shippedPlaybook('default'), id: 'audited', name: 'Audited' };
    expect((await stack.call('POST', '/v1/playbooks', await stack.token(['engineer']), playbook)).status).toBe(201);
    const events = await chain('system');
    const types = events.map((e) => e.type).reverse();
    expect(types).toEqual(['api_key_created', 'api_key_revoked', 'channels_replaced', 'context_imported', 'playbook_registered']);
    expect(events[0]!.data).toMatchObject({ id: 'audited', version: 1, hash: expect.stringMatching(/^[0-9a-f]{64}$/) });
    const created = events.find((e) => e.type === 'api_key_created' && e.data.name === 'siem-1')!;
    expect(created.actor).toBe('admin');
    expect(created.data).toMatchObject({ id: made.body.id, roles: ['ingest'], expiresAt: made.body.expiresAt });
    const text = JSON.stringify(events);
    expect(text).not.toContain(made.body.token);
    expect(text).not.toContain('secretpath');
    expect(events.find((e) => e.type === 'context_imported')!.data).toMatchObject({ kind: 'assets', upserted: 1, hash: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(await verify('system')).toMatchObject({ valid: true, signature: { valid: true, keyId: stack.keyRing.signer!.id } });
  });

  it('takes concurrent appends without gaps', async () => {
    await Promise.all(Array.from({ length: 20 }, (_, i) => stack.call('POST', '/v1/api-keys', stack.adminToken, { name: `burst-${i}`, roles: ['analyst'] })));
    const seqs = (await chain('system')).map((e) => e.seq).reverse();
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
    expect((await verify('system')).valid).toBe(true);
  });
});

describe('the settings in force', () => {
  it('are recorded at start when they differ from the last ones recorded, and not again when they do not', async () => {
    const config = loadConfig({ IRFLOW_RATE_LIMIT: '120' });
    expect(await recordSettings(stack.database.db, config, stack.keyRing, {})).toBe(true);
    expect(await recordSettings(stack.database.db, config, stack.keyRing, {})).toBe(false);
    expect(await recordSettings(stack.database.db, loadConfig({ IRFLOW_RATE_LIMIT: '60' }), stack.keyRing, {})).toBe(true);
    const recorded = (await chain('system')).filter((e) => e.type === 'settings_in_force');
    expect(recorded.map((e) => (e.data.limits as { perWindow: number }).perWindow)).toEqual([60, 120]);
    expect(recorded[0]).toMatchObject({ actor: 'system', data: { signingKey: stack.keyRing.signer!.id } });
  });
});

describe('the access chain', () => {
  it('records each read of a history, and a forger rewriting it is found by the signature', async () => {
    const id = await closedIncident(stack, await stack.token(['analyst']));
    await stack.call('GET', `/v1/incidents/${id}/history`, auditor);
    const reads = await chain('access');
    expect(reads[0]).toMatchObject({ type: 'history', actor: 'audrey', data: { incidentId: id } });
    expect(await verify('access')).toMatchObject({ valid: true });

    // Who read it, rewritten with every hash recomputed: the head's signature no longer holds.
    await asForger(stack.database.db, async (tx) => {
      const rows = await tx.select().from(auditChainEvents).where(eq(auditChainEvents.chain, 'access')).orderBy(asc(auditChainEvents.seq));
      let prevHash = GENESIS_HASH;
      for (const row of rows) {
        const actor = row.actor === 'audrey' ? 'nobody' : row.actor;
        const hash = eventHash(prevHash, { incidentId: 'chain:access', seq: row.seq, at: row.at.toISOString(), type: row.type, actor, from: null, to: null, data: row.data });
        await tx.update(auditChainEvents).set({ actor, prevHash, hash }).where(and(eq(auditChainEvents.chain, 'access'), eq(auditChainEvents.seq, row.seq)));
        prevHash = hash;
      }
    });
    const verdict = await verify('access');
    expect(verdict.valid).toBe(false);
    expect(verdict.reason).toContain("chain head's signature does not verify");
    await asForger(stack.database.db, (tx) => tx.execute(sql`update audit_chain_events set type = 'export' where chain = 'access' and seq = 1`));
    expect(await verify('access')).toMatchObject({ valid: false, brokenAt: 1 });
  });
});
