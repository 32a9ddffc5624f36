/**
 * Checkpoints: signed Merkle roots over every chain head, written to a folder outside the database,
 * with inclusion proofs per incident that irflow-verify checks a dossier against offline - which
 * catches even a forger who holds the signing key, once a checkpoint was kept before the forgery.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { and, asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signHead } from '../../db/chain-signing.js';
import { GENESIS_HASH, eventHash } from '../../db/ledger.js';
import { incidentEvents, incidents } from '../../db/schema.js';
import { webhookSigner } from '../../activities/notify.activities.js';
import { checkpointMaker, checkpointSettings, writeCheckpointFile } from '../../runtime/checkpoint-sink.js';
import { startReceiver } from '../support/receiver.js';
import { asForger } from '../support/forger.js';
import { closedIncident } from '../support/incidents.js';
import { startStack, type Stack } from '../support/stack.js';

const run = promisify(execFile);
const verifyBin = fileURLToPath(new URL('../../bin/irflow-verify.js', import.meta.url));
let stack: Stack;
let analyst: string;
let auditor: string;
let dir: string;

beforeAll(async () => {
  stack = await startStack();
  analyst = await stack.token(['analyst'], 'alice');
  auditor = await stack.token(['auditor'], 'audrey');
  dir = mkdtempSync(join(tmpdir(), 'irflow-checkpoints-'));
});
afterAll(async () => {
  await stack?.close();
  rmSync(dir, { recursive: true, force: true });
});

const verifyOffline = (args: string[]) =>
  run(process.execPath, [verifyBin, ...args]).then(
    ({ stdout }) => ({ code: 0, verdict: JSON.parse(stdout) }),
    (error: { code: number; stdout: string }) => ({ code: error.code, verdict: JSON.parse(error.stdout) }),
  );

async function save(name: string, value: unknown): Promise<string> {
  const file = join(dir, name);
  writeFileSync(file, JSON.stringify(value));
  return file;
}

describe('checkpoints', () => {
  it('hold every head at first, then what moved, chained to the one before; nothing moved, no checkpoint', async () => {
    const first = await closedIncident(stack, analyst);
    expect((await stack.call('POST', '/v1/api-keys', stack.adminToken, { name: 'checkpointed', roles: ['analyst'] })).status).toBe(201);
    const made = await stack.call('POST', '/v1/audit/checkpoints', auditor);
    expect(made.status).toBe(201);
    const whole = (await stack.call('GET', `/v1/audit/checkpoints/${made.body.seq}`, auditor)).body;
    expect(whole.heads.map((h: { chain: string }) => h.chain)).toEqual(expect.arrayContaining([first, 'chain:system']));
    expect(whole).toMatchObject({ previous: made.body.seq > 1 ? expect.any(Object) : null, signature: { keyId: stack.keyRing.signer!.id } });
    expect((await stack.call('POST', '/v1/audit/checkpoints', auditor)).body).toEqual({ created: false });

    const second = await closedIncident(stack, analyst);
    const next = (await stack.call('POST', '/v1/audit/checkpoints', auditor)).body;
    const held = (await stack.call('GET', `/v1/audit/checkpoints/${next.seq}`, auditor)).body.heads.map((h: { chain: string }) => h.chain);
    expect(held).toContain(second);
    expect(held).not.toContain(first);
    expect(next.previous).toEqual({ seq: made.body.seq, root: made.body.root });
  });

  it('go to the folder as new files that are never overwritten', async () => {
    await closedIncident(stack, analyst);
    const sink = join(dir, 'sink');
    const maker = checkpointMaker(stack.database.db, stack.keyRing.signer, { everyMs: 0, dir: sink }, () => undefined);
    const checkpoint = (await maker.make())!;
    const [file] = readdirSync(sink);
    expect(file).toBe(`checkpoint-${String(checkpoint.seq).padStart(8, '0')}.json`);
    expect(statSync(join(sink, file!)).mode & 0o222, 'read-only').toBe(0);
    expect(JSON.parse(readFileSync(join(sink, file!), 'utf8'))).toMatchObject({ seq: checkpoint.seq, root: checkpoint.root });
    expect(() => writeCheckpointFile(sink, { ...checkpoint, root: '00' })).toThrow(/EEXIST/);
  });

  it('go to a webhook too, signed the Standard Webhooks way, and one not delivered goes again with the next', async () => {
    const receiver = await startReceiver();
    try {
      const env = { IRFLOW_CHECKPOINT_WEBHOOK_URL: `${receiver.url}/flaky-1`, IRFLOW_CHECKPOINT_WEBHOOK_SECRET_ENV: 'IRFLOW_SECRET_CP', IRFLOW_SECRET_CP: 'checkpoint-secret', IRFLOW_EGRESS_ALLOW: '127.0.0.1' };
      expect(() => checkpointSettings(dir, { ...env, IRFLOW_EGRESS_ALLOW: '' })).toThrow(/IRFLOW_CHECKPOINT_WEBHOOK_URL/);
      expect(() => checkpointSettings(dir, { ...env, IRFLOW_CHECKPOINT_WEBHOOK_SECRET_ENV: 'DATABASE_URL' })).toThrow(/IRFLOW_SECRET_/);
      const lines: string[] = [];
      const maker = checkpointMaker(stack.database.db, stack.keyRing.signer, { ...checkpointSettings(dir, env), dir: join(dir, 'hooked') }, (line) => lines.push(line));
      await closedIncident(stack, analyst);
      const first = (await maker.make())!;
      expect(lines.join('\n')).toContain(`checkpoint ${first.seq} not delivered to the webhook (http://127.0.0.1:`);
      await closedIncident(stack, analyst);
      const second = (await maker.make())!;
      const bodies = receiver.received.map((r) => r.json.seq);
      expect(bodies).toEqual([first.seq, first.seq, second.seq]);
      const last = receiver.received.at(-1)!;
      const verified = webhookSigner('checkpoint-secret').verify(last.body, last.headers as Record<string, string>) as { root: string };
      expect(verified.root).toBe(second.root);
    } finally {
      await receiver.close();
    }
  });

  it('prove an incident offline, and catch a rewrite by someone holding the signing key', async () => {
    const id = await closedIncident(stack, analyst);
    const checkpoint = (await stack.call('POST', '/v1/audit/checkpoints', auditor)).body;
    const proof = (await stack.call('GET', `/v1/incidents/${id}/checkpoint-proof`, auditor)).body;
    expect(proof).toMatchObject({ checkpoint: { seq: checkpoint.seq, root: checkpoint.root }, leaf: { chain: id } });
    const keys = await save('keys.json', (await stack.call('GET', '/v1/audit/keys', auditor)).body);
    const proofFile = await save(`proof-${id}.json`, proof);
    const kept = await save(`checkpoint-${checkpoint.seq}.json`, (await stack.call('GET', `/v1/audit/checkpoints/${checkpoint.seq}`, auditor)).body);
    const before = await save(`before-${id}.json`, (await stack.call('GET', `/v1/incidents/${id}/export`, auditor)).body);
    expect(await verifyOffline([before, '--keys', keys, '--proof', proofFile, '--checkpoint', kept])).toMatchObject({ code: 0, verdict: { valid: true, checkpoint: { valid: true } } });

    // An insider with the database and the signing key rewrites seq 2 and re-signs the head.
    await asForger(stack.database.db, async (tx) => {
      const rows = await tx.select().from(incidentEvents).where(eq(incidentEvents.incidentId, id)).orderBy(asc(incidentEvents.seq));
      let prevHash = GENESIS_HASH;
      for (const row of rows) {
        const actor = row.seq === 2 ? 'mallory' : row.actor;
        const hash = eventHash(prevHash, { ...row, actor, at: row.at.toISOString(), data: row.data as Record<string, unknown> });
        await tx.update(incidentEvents).set({ actor, prevHash, hash }).where(and(eq(incidentEvents.incidentId, id), eq(incidentEvents.seq, row.seq)));
        prevHash = hash;
      }
      const head = signHead(stack.keyRing.signer!, { incidentId: id, lastSeq: rows.at(-1)!.seq, lastHash: prevHash });
      await tx.update(incidents).set({ lastHash: prevHash, headKeyId: head.keyId, headSignature: head.signature }).where(eq(incidents.id, id));
    });
    const after = await save(`after-${id}.json`, (await stack.call('GET', `/v1/incidents/${id}/export`, auditor)).body);
    const alone = await verifyOffline([after, '--keys', keys]);
    expect(alone.code, 'the seal and head signatures hold: the forger had the key').toBe(0);
    const checked = await verifyOffline([after, '--keys', keys, '--proof', proofFile, '--checkpoint', kept]);
    expect(checked.code).toBe(1);
    expect(checked.verdict.reason).toContain('the ledger was rewritten after it');
  });

  it('refuse a checkpoint whose root was changed after signing', async () => {
    const id = await closedIncident(stack, analyst);
    await stack.call('POST', '/v1/audit/checkpoints', auditor);
    const proof = (await stack.call('GET', `/v1/incidents/${id}/checkpoint-proof`, auditor)).body;
    const keys = await save('keys-2.json', (await stack.call('GET', '/v1/audit/keys', auditor)).body);
    const dossier = await save(`dossier-${id}.json`, (await stack.call('GET', `/v1/incidents/${id}/export`, auditor)).body);
    const forged = await save('forged-proof.json', { ...proof, checkpoint: { ...proof.checkpoint, root: '00'.repeat(32) } });
    const checked = await verifyOffline([dossier, '--keys', keys, '--proof', forged]);
    expect(checked.code).toBe(1);
    expect(checked.verdict.reason).toContain("the checkpoint's signature does not verify");
    expect((await stack.call('GET', '/v1/incidents/INC-00000000-NOSUCH/checkpoint-proof', auditor)).status).toBe(404);
  });
});
