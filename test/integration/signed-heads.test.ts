/**
 * Signed chain heads on a real database, against a forger who can write it: a chain rewritten
 * with every hash and the head recomputed, a tail cut off with the head moved to match, and a
 * stripped signature all fail verify on the signature; a dossier changed and re-sealed with
 * another key fails `irflow-verify --keys` offline, and a true one passes.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { and, asc, eq, gt } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { headSignatureOf, newSigningKey, signHead, signingKeyOf, verifyHead } from '../../db/chain-signing.js';
import { prepareKeyRing } from '../../runtime/signing-keys.js';
import { dossierDigest, seal, type Dossier } from '../../db/dossier.js';
import { GENESIS_HASH, eventHash } from '../../db/ledger.js';
import { incidentEvents, incidents } from '../../db/schema.js';
import { closedIncident as closedIncidentOf } from '../support/incidents.js';
import { asForger } from '../support/forger.js';
import { startStack, type Stack } from '../support/stack.js';

const run = promisify(execFile);
const verifyBin = fileURLToPath(new URL('../../bin/irflow-verify.js', import.meta.url));
let stack: Stack;
let analyst: string;
let auditor: string;
let dir: string;

const closedIncident = () => closedIncidentOf(stack, analyst);

const verify = async (id: string) => (await stack.call('GET', `/v1/incidents/${id}/history/verify`, auditor)).body;

/** What a forger with the database does: rewrite from `fromSeq` on with every hash recomputed, and the head to match. */
async function rewriteChain(id: string, change: (event: typeof incidentEvents.$inferSelect) => Partial<typeof incidentEvents.$inferSelect>, keepUpTo?: number) {
  await asForger(stack.database.db, async (tx) => {
    if (keepUpTo !== undefined) await tx.delete(incidentEvents).where(and(eq(incidentEvents.incidentId, id), gt(incidentEvents.seq, keepUpTo)));
    const rows = await tx.select().from(incidentEvents).where(eq(incidentEvents.incidentId, id)).orderBy(asc(incidentEvents.seq));
    let prevHash = GENESIS_HASH;
    for (const row of rows) {
      const changed = { ...row, ...change(row) };
      const hash = eventHash(prevHash, { ...changed, at: changed.at.toISOString(), from: changed.from, to: changed.to, data: changed.data as Record<string, unknown> });
      await tx.update(incidentEvents).set({ actor: changed.actor, prevHash, hash }).where(and(eq(incidentEvents.incidentId, id), eq(incidentEvents.seq, row.seq)));
      prevHash = hash;
    }
    await tx.update(incidents).set({ lastSeq: rows.at(-1)!.seq, lastHash: prevHash }).where(eq(incidents.id, id));
  });
}

beforeAll(async () => {
  stack = await startStack();
  analyst = await stack.token(['analyst'], 'alice');
  auditor = await stack.token(['auditor'], 'audrey');
  dir = mkdtempSync(join(tmpdir(), 'irflow-signed-'));
});
afterAll(async () => {
  await stack?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('signed chain heads', () => {
  it('sign every head as it moves, with the key GET /v1/audit/keys publishes', async () => {
    const id = await closedIncident();
    const keys = await stack.call('GET', '/v1/audit/keys', auditor);
    expect(keys.body.current).toBe(stack.keyRing.signer!.id);
    expect(keys.body.keys.map((k: { id: string }) => k.id)).toEqual([stack.keyRing.signer!.id]);
    expect(await verify(id)).toMatchObject({ valid: true, signature: { valid: true, keyId: stack.keyRing.signer!.id } });
  });

  it('fail verify for a chain rewritten with recomputed hashes and head', async () => {
    const id = await closedIncident();
    await rewriteChain(id, (event) => (event.seq === 2 ? { actor: 'mallory' } : {}));
    const verdict = await verify(id);
    expect(verdict.valid).toBe(false);
    expect(verdict.reason).toContain("chain head's signature does not verify");
  });

  it('fail verify for a tail cut off with the head moved to match', async () => {
    const id = await closedIncident();
    const { events } = await verify(id);
    await rewriteChain(id, () => ({}), events - 2);
    const verdict = await verify(id);
    expect(verdict).toMatchObject({ valid: false, brokenAt: events - 2 });
    expect(verdict.reason).toContain("chain head's signature does not verify");
  });

  it('fail verify for a head whose signature was removed, or replaced by one of another key', async () => {
    const id = await closedIncident();
    await stack.database.db.update(incidents).set({ headSignature: null, headKeyId: null }).where(eq(incidents.id, id));
    expect((await verify(id)).reason).toBe('the chain head carries no signature');
    const other = signingKeyOf(newSigningKey().privateKeyPem);
    await stack.database.db.update(incidents).set({ headSignature: 'AAAA', headKeyId: other.id }).where(eq(incidents.id, id));
    expect((await verify(id)).reason).toContain("which is not one of irflow's signing keys");
  });
});

describe('the ledger against the Temporal history', () => {
  it('agree event by event on an incident as recorded', async () => {
    const id = await closedIncident();
    const verdict = await verify(id);
    expect(verdict).toMatchObject({ valid: true, history: { consistent: true, recorded: verdict.events } });
  });

  it('disagree when the last two events are cut off, and name the first one the ledger lacks', async () => {
    const id = await closedIncident();
    const { events } = await verify(id);
    await rewriteChain(id, () => ({}), events - 2);
    const verdict = await verify(id);
    expect(verdict.valid).toBe(false);
    expect(verdict.history).toMatchObject({ consistent: false, seq: events - 1, reason: `the workflow recorded seq ${events - 1}, which the ledger lacks` });
  });

  it('catch even a forger who holds the signing key: the head re-signed, the history still disagrees', async () => {
    const id = await closedIncident();
    await rewriteChain(id, (event) => (event.seq === 2 ? { actor: 'mallory' } : {}));
    const [row] = await stack.database.db.select().from(incidents).where(eq(incidents.id, id));
    const resigned = signHead(stack.keyRing.signer!, { incidentId: id, lastSeq: row!.lastSeq, lastHash: row!.lastHash });
    await stack.database.db.update(incidents).set({ headKeyId: resigned.keyId, headSignature: resigned.signature }).where(eq(incidents.id, id));
    const verdict = await verify(id);
    expect(verdict.signature).toMatchObject({ valid: true });
    expect(verdict).toMatchObject({ valid: false, brokenAt: 2, history: { consistent: false, seq: 2 } });
    expect(verdict.reason).toBe('seq 2 in the ledger is not what the workflow recorded (its hash differs)');
  });
});

describe('sealed dossiers, offline', () => {
  it('pass irflow-verify --keys when true, and fail when changed and re-sealed with another key', async () => {
    const id = await closedIncident();
    const dossier = (await stack.call('GET', `/v1/incidents/${id}/export`, auditor)).body as Dossier;
    expect(dossier.seal?.keyId).toBe(stack.keyRing.signer!.id);
    expect(dossier.chain.signature?.keyId).toBe(stack.keyRing.signer!.id);
    const keysFile = join(dir, 'keys.json');
    writeFileSync(keysFile, JSON.stringify((await stack.call('GET', '/v1/audit/keys', auditor)).body));
    const good = join(dir, 'good.json');
    writeFileSync(good, JSON.stringify(dossier));
    const passed = JSON.parse((await run(process.execPath, [verifyBin, good, '--keys', keysFile])).stdout);
    expect(passed).toMatchObject({ valid: true, seal: { valid: true }, head: { valid: true } });

    // A forger edits the incident, recomputes the digest and seals it with a key of their own.
    const { digest: _digest, seal: _seal, ...content } = dossier;
    const edited = { ...content, exportedBy: 'nobody', incident: { ...content.incident, severity: 'low' } };
    const forged = seal(edited, signingKeyOf(newSigningKey().privateKeyPem));
    expect(forged.digest).toBe(dossierDigest(edited));
    const bad = join(dir, 'forged.json');
    writeFileSync(bad, JSON.stringify(forged));
    const failed = await run(process.execPath, [verifyBin, bad, '--keys', keysFile]).then(
      () => undefined,
      (error: { code: number; stdout: string }) => error,
    );
    expect(failed?.code).toBe(1);
    expect(JSON.parse(failed!.stdout)).toMatchObject({ valid: false, digestValid: true, seal: { valid: false } });
    // Without the auditor's keys, the digest alone cannot tell: which is why --keys exists.
    expect(JSON.parse((await run(process.execPath, [verifyBin, bad])).stdout)).toMatchObject({ valid: true });
    // npm run replay checks the same with --keys.
    const root = fileURLToPath(new URL('../..', import.meta.url));
    const replayed = await run('npm', ['run', '--silent', 'replay', '--', bad, '--keys', keysFile], { cwd: root }).then(
      () => undefined,
      (error: { code: number; stdout: string }) => error,
    );
    expect(replayed?.code, 'npm run replay --keys refuses the re-sealed dossier').toBe(1);
    expect(JSON.parse(replayed!.stdout)).toMatchObject({ deterministic: true, integrity: { valid: false, seal: { valid: false } } });
    expect(readFileSync(keysFile, 'utf8')).toContain(stack.keyRing.signer!.id);
  });
});

describe('heads recorded before irflow signed', () => {
  it('are signed once, when the signing key is made, and never again', async () => {
    const id = await closedIncident();
    await stack.database.db.update(incidents).set({ headSignature: null, headKeyId: null }).where(eq(incidents.id, id));
    const upgraded = join(dir, 'upgraded-data');
    const lines: string[] = [];
    const ring = await prepareKeyRing(upgraded, stack.database.db, (line) => lines.push(line), {});
    expect(lines.join('\n')).toMatch(/made the signing key \w+ .*; signed [1-9]\d* chain heads recorded before it/);
    const [row] = await stack.database.db.select().from(incidents).where(eq(incidents.id, id));
    expect(row!.headKeyId).toBe(ring.signer!.id);
    const stored = { incidentId: row!.id, lastSeq: row!.lastSeq, lastHash: row!.lastHash, headKeyId: row!.headKeyId, headSignature: row!.headSignature };
    expect(verifyHead(ring.publicKeys, stored, headSignatureOf(stored))).toMatchObject({ valid: true });
    // A head stripped later is a finding, not something the next start signs.
    await stack.database.db.update(incidents).set({ headSignature: null, headKeyId: null }).where(eq(incidents.id, id));
    await prepareKeyRing(upgraded, stack.database.db, (line) => lines.push(line), {});
    const [after] = await stack.database.db.select().from(incidents).where(eq(incidents.id, id));
    expect(after!.headSignature).toBeNull();
  });
});

