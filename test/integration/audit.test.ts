/** The tamper-evident ledger on real Postgres, the sealed export verified offline, and the access log. */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIELDS_FOR, alertBody, closedIncident as closedIncidentOf, postAlert, walkTo } from '../support/incidents.js';
import { verifyDossier } from '../../db/dossier.js';
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

/** A new incident worked (work-log entries, one after another) while `read` runs `times` times over it. */
async function readWhileWorked<T>(title: string, times: number, read: (id: string) => Promise<T>): Promise<{ id: string; reads: T[] }> {
  const created = await stack.call('POST', '/v1/incidents', analyst, { title, severity: 'high' });
  const id = created.body.id as string;
  let working = true;
  const work = (async () => {
    for (let i = 0; working && i < 60; i += 1) await stack.call('POST', `/v1/incidents/${id}/work-log`, analyst, { minutes: 1, note: `step ${i}` });
  })();
  const reads: T[] = [];
  for (let i = 0; i < times; i += 1) reads.push(await read(id));
  working = false;
  await work;
  return { id, reads };
}

beforeAll(async () => {
  stack = await startStack();
  analyst = await stack.token(['analyst'], 'alice');
  auditor = await stack.token(['auditor'], 'audrey');
  dir = mkdtempSync(join(tmpdir(), 'irflow-audit-'));
});
afterAll(async () => {
  await stack?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('tamper evidence (direct SQL on the audit log)', () => {
  it('finds a changed row', async () => {
    const id = await closedIncident();
    expect(await verify(id)).toMatchObject({ valid: true });
    await asForger(stack.database.db, (tx) => tx.execute(sql`update incident_events set actor = 'mallory' where incident_id = ${id} and seq = 2`));
    expect(await verify(id)).toMatchObject({ valid: false, brokenAt: 2 });
  });

  it('finds a deleted row', async () => {
    const id = await closedIncident();
    await asForger(stack.database.db, (tx) => tx.execute(sql`delete from incident_events where incident_id = ${id} and seq = 2`));
    expect(await verify(id)).toMatchObject({ valid: false, brokenAt: 2 });
  });

  it('finds an inserted row', async () => {
    const id = await closedIncident();
    // Make room at seq 3 (in two steps: the primary key holds at every row).
    await asForger(stack.database.db, (tx) => tx.execute(sql`update incident_events set seq = seq + 1000 where incident_id = ${id} and seq >= 3`));
    await asForger(stack.database.db, (tx) => tx.execute(sql`update incident_events set seq = seq - 999 where incident_id = ${id} and seq >= 1000`));
    await stack.database.db.execute(
      sql`insert into incident_events (incident_id, seq, at, type, actor, data, prev_hash, hash) select incident_id, 3, at, 'transitioned', 'mallory', '{}'::jsonb, hash, hash from incident_events where incident_id = ${id} and seq = 2`,
    );
    expect(await verify(id)).toMatchObject({ valid: false, brokenAt: 3 });
  });

  it('says valid while the incident is being worked: steps recorded between its reads of the ledger and the history are no break', async () => {
    const { id, reads: verdicts } = await readWhileWorked('Worked while verified', 15, verify);
    verdicts.push(await verify(id));
    expect(verdicts.filter((v) => !v.valid).map((v) => v.reason)).toEqual([]);
    expect(verdicts.at(-1).history).toMatchObject({ consistent: true });
  });

  it('finds a truncated tail', async () => {
    const id = await closedIncident();
    const { events } = await verify(id);
    await asForger(stack.database.db, (tx) => tx.execute(sql`delete from incident_events where incident_id = ${id} and seq = ${events}`));
    expect(await verify(id)).toMatchObject({ valid: false, brokenAt: events, reason: expect.stringContaining('truncated') });
  });
});

describe('export dossier', () => {
  it('exports a consistent dossier of an incident being worked: the signed head is the last event of its log', async () => {
    const { reads: dossiers } = await readWhileWorked('Worked while exported', 10, async (id) => (await stack.call('GET', `/v1/incidents/${id}/export`, auditor)).body);
    for (const dossier of dossiers) {
      expect(dossier.events.length).toBe(dossier.chain.lastSeq);
      expect(dossier.events.at(-1).hash).toBe(dossier.chain.lastHash);
      expect(verifyDossier(dossier)).toMatchObject({ valid: true, digestValid: true });
    }
    expect(dossiers.at(-1).chain.lastSeq).toBeGreaterThan(dossiers[0].chain.lastSeq);
  });

  it('exports a sealed dossier that verifies offline, and fails after one flipped byte', async () => {
    const id = await closedIncident();
    const exported = await stack.call('GET', `/v1/incidents/${id}/export`, auditor);
    expect(exported.status).toBe(200);
    expect(exported.body).toMatchObject({
      format: 'irflow-dossier/1',
      exportedBy: 'audrey',
      incident: { id, stage: 'closed' },
      playbook: { id: 'default', version: 1, document: { id: 'default' } },
      digest: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect(exported.body.events.length).toBe(exported.body.chain.lastSeq);
    expect(JSON.stringify(exported.body.temporalHistory)).toContain('EVENT_TYPE_WORKFLOW_EXECUTION_STARTED');

    const file = join(dir, `${id}.json`);
    writeFileSync(file, JSON.stringify(exported.body));
    const ok = await run(process.execPath, [verifyBin, file]);
    expect(JSON.parse(ok.stdout)).toMatchObject({ valid: true, digestValid: true });

    const replayed = await run('npm', ['run', '--silent', 'replay', '--', file], { cwd: fileURLToPath(new URL('../..', import.meta.url)) });
    expect(JSON.parse(replayed.stdout), 'npm run replay on the dossier').toMatchObject({ deterministic: true, machineConsistent: true, integrity: { valid: true } });

    const text = readFileSync(file, 'utf8');
    const at = text.indexOf('"actor":"alice"') + '"actor":"'.length;
    writeFileSync(file, `${text.slice(0, at)}A${text.slice(at + 1)}`);
    const flipped = await run(process.execPath, [verifyBin, file]).catch((error: { code: number; stdout: string }) => error);
    expect((flipped as { code: number }).code).toBe(1);
    expect(JSON.parse((flipped as { stdout: string }).stdout)).toMatchObject({ valid: false, digestValid: false });
  });
});

describe('the incident as of an instant', () => {
  it('rebuilds stage, priority, fields and alerts from the ledger at several instants', async () => {
    const ingest = await stack.token(['ingest']);
    const key = { rule: { id: 'as-of' }, assets: [{ hostname: 'asof01' }] };
    const { incidentId } = await postAlert(stack, ingest, alertBody({ ...key, severity: 'low' }));
    await walkTo(stack, analyst, incidentId, ['acknowledge']);
    const afterAck = (await stack.call('GET', `/v1/incidents/${incidentId}`, analyst)).body.updatedAt as string;
    await new Promise((resolve) => setTimeout(resolve, 20));
    await postAlert(stack, ingest, alertBody({ ...key, severity: 'critical' }));
    await walkTo(stack, analyst, incidentId, ['close_false_positive']);
    const events = (await stack.call('GET', `/v1/incidents/${incidentId}/history`, analyst)).body.events as Array<{ at: string; type: string }>;
    const openedAt = events[0]!.at;
    const asOf = async (at: string) => stack.call('GET', `/v1/incidents/${incidentId}?asOf=${encodeURIComponent(at)}`, auditor);

    expect((await asOf(new Date(Date.parse(openedAt) - 1000).toISOString())).status).toBe(404);
    expect((await asOf(openedAt)).body).toMatchObject({ id: incidentId, stage: 'new', severity: 'low' });
    expect((await asOf(afterAck)).body).toMatchObject({ stage: 'triage', alertCount: 1, severity: 'low', priority: 'P5', fields: {} });
    const now = await asOf(new Date().toISOString());
    expect(now.body).toMatchObject({ stage: 'closed', alertCount: 2, severity: 'critical', fields: FIELDS_FOR.close_false_positive, seq: events.length });
    expect(now.body.priority).toBe((await stack.call('GET', `/v1/incidents/${incidentId}`, analyst)).body.priority);
    expect((await stack.call('GET', `/v1/incidents/${incidentId}?asOf=yesterday`, auditor)).status).toBe(400);

    // The incident as it stood is its history: an approver reads the incident, not its past; each read is logged.
    const approver = await stack.token(['approver'], 'apollo');
    expect((await stack.call('GET', `/v1/incidents/${incidentId}?asOf=${encodeURIComponent(afterAck)}`, approver)).status).toBe(403);
    expect((await stack.call('GET', `/v1/incidents/${incidentId}`, approver)).status).toBe(200);
    const log = (await stack.call('GET', `/v1/access-log?incidentId=${incidentId}`, auditor)).body.entries as Array<{ actor: string; action: string }>;
    expect(log.filter((e) => e.actor === 'audrey' && e.action === 'history')).toHaveLength(4);
    expect(log.some((e) => e.actor === 'apollo')).toBe(false);
  });
});

describe('access log and roles', () => {
  it('records reads of histories, verifies and exports, for auditors to read', async () => {
    const id = await closedIncident();
    await stack.call('GET', `/v1/incidents/${id}/history`, analyst);
    await verify(id);
    await stack.call('GET', `/v1/incidents/${id}/export`, auditor);
    const log = await stack.call('GET', `/v1/access-log?incidentId=${id}`, auditor);
    expect(log.body.entries.map((e: { actor: string; action: string }) => [e.actor, e.action])).toEqual([
      ['audrey', 'export'],
      ['audrey', 'verify'],
      ['alice', 'history'],
    ]);
  });

  it('keeps export, verify and the access log from analysts', async () => {
    const id = await closedIncident();
    for (const path of [`/v1/incidents/${id}/export`, `/v1/incidents/${id}/history/verify`, '/v1/access-log']) {
      expect((await stack.call('GET', path, analyst)).status, path).toBe(403);
    }
  });
});
