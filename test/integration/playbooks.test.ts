/** Playbook versions through the API, routing of alerts, and pinning across new versions and worker restarts. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { alertBody, postAlert } from '../support/incidents.js';
import { shippedPlaybook } from '../support/playbooks.js';
import { startStack, type Stack } from '../support/stack.js';

let stack: Stack;
let engineer: string;
let analyst: string;
let ingest: string;

const triageDoc = (description: string) => ({
  id: 'triage-only',
  name: 'Triage only',
  description,
  match: { order: 1, ruleIds: ['triage-only-*'] },
  initial: 'open',
  stages: {
    open: { marks: ['acknowledged'], on: { finish: { to: 'done', requires: { fields: ['resolution'] } } } },
    done: { closed: true, marks: ['resolved', 'closed'] },
  },
});

beforeAll(async () => {
  stack = await startStack();
  engineer = await stack.token(['engineer'], 'eve');
  analyst = await stack.token(['analyst'], 'alice');
  ingest = await stack.token(['ingest'], 'siem');
});
afterAll(async () => stack?.close());

describe('playbook registry', () => {
  it('validates with every error and its path (422) or answers valid (200), JSON or YAML', async () => {
    const broken = { ...triageDoc('x'), initial: 'nowhere', colour: 'red' };
    const json = await stack.call('POST', '/v1/playbooks/validate', engineer, broken);
    expect(json.status).toBe(422);
    expect(json.body.errors).toEqual(expect.arrayContaining([{ path: 'colour', message: 'unknown key' }]));
    const yaml = await stack.call('POST', '/v1/playbooks/validate', engineer, stringify(triageDoc('x')), { 'content-type': 'application/yaml' });
    expect(yaml.status, JSON.stringify(yaml.body)).toBe(200);
    expect(yaml.body).toEqual({ valid: true, id: 'triage-only' });
    const syntax = await stack.call('POST', '/v1/playbooks/validate', engineer, 'id: [', { 'content-type': 'application/yaml' });
    expect(syntax.status).toBe(422);
    expect((await stack.call('POST', '/v1/playbooks/validate', analyst, triageDoc('x'))).status).toBe(403);
  });

  it('stores immutable versions: same content → 200 same version, new content → 201 version + 1', async () => {
    const v1 = await stack.call('POST', '/v1/playbooks', engineer, triageDoc('first'));
    expect(v1.status).toBe(201);
    expect(v1.body).toMatchObject({ id: 'triage-only', version: 1, hash: expect.stringMatching(/^[0-9a-f]{64}$/), createdBy: 'eve' });
    const same = await stack.call('POST', '/v1/playbooks', engineer, stringify(triageDoc('first')), { 'content-type': 'application/yaml' });
    expect(same.status).toBe(200);
    expect(same.body).toMatchObject({ version: 1, hash: v1.body.hash });
    const v2 = await stack.call('POST', '/v1/playbooks', engineer, triageDoc('second'));
    expect(v2.status).toBe(201);
    expect(v2.body.version).toBe(2);

    const latest = await stack.call('GET', '/v1/playbooks/triage-only', analyst);
    expect(latest.body).toMatchObject({ version: 2, document: { description: 'second' } });
    const first = await stack.call('GET', '/v1/playbooks/triage-only/versions/1', analyst);
    expect(first.body).toMatchObject({ version: 1, document: { description: 'first' } });
    expect((await stack.call('GET', '/v1/playbooks/triage-only/versions', analyst)).body.versions.map((v: { version: number }) => v.version)).toEqual([1, 2]);
    const list = await stack.call('GET', '/v1/playbooks', analyst);
    expect(list.body.playbooks.map((p: { id: string }) => p.id)).toEqual(expect.arrayContaining(['default', 'managed-queue', 'quantitative', 'exposure-response', 'triage-only']));
    expect((await stack.call('GET', '/v1/playbooks/triage-only/versions/9', analyst)).status).toBe(404);
    expect((await stack.call('POST', '/v1/playbooks', engineer, { ...triageDoc('x'), stages: {} })).status).toBe(422);
  });

  it('keeps the document as written (stage and event order)', async () => {
    const stored = await stack.call('GET', '/v1/playbooks/default', analyst);
    expect(Object.keys(stored.body.document.stages)).toEqual(Object.keys(shippedPlaybook('default').stages));
  });

  it('publishes the JSON Schema to every role and draws each playbook as Mermaid', async () => {
    const schema = await stack.call('GET', '/v1/playbooks/schema', ingest);
    expect(schema.status).toBe(200);
    expect(schema.body).toMatchObject({ title: 'irflow playbook', required: ['id', 'name', 'initial', 'stages'] });
    for (const id of ['default', 'managed-queue', 'quantitative', 'exposure-response']) {
      const diagram = await stack.call('GET', `/v1/playbooks/${id}/diagram`, engineer);
      expect(diagram.status).toBe(200);
      expect(diagram.headers['content-type']).toContain('text/plain');
      expect(diagram.body as string).toMatch(/^stateDiagram-v2\n/);
    }
    const versioned = await stack.call('GET', '/v1/playbooks/default/versions/1/diagram', engineer);
    expect(versioned.body).toContain('recovery --> review : resolve<br/>fields rootCause');
  });
});

describe('routing and pinning', () => {
  it('routes alerts by match, lowest order first, else default', async () => {
    const exposure = await postAlert(stack, ingest, alertBody({ category: 'exposure' }));
    const plain = await postAlert(stack, ingest, alertBody({ category: 'malware' }));
    const routed = await stack.call('GET', `/v1/incidents/${exposure.incidentId}`, analyst);
    expect(routed.body).toMatchObject({ playbook: { id: 'exposure-response' }, stage: 'detect' });
    expect((await stack.call('GET', `/v1/incidents/${plain.incidentId}`, analyst)).body.playbook.id).toBe('default');
  });

  it('lets a reported incident choose its playbook', async () => {
    const created = await stack.call('POST', '/v1/incidents', analyst, { title: 'Queue item', severity: 'critical', playbook: 'managed-queue' });
    expect(created.body).toMatchObject({ playbook: { id: 'managed-queue', version: 1 }, stage: 'new', priority: 'P3' });
  });

  it('keeps an open incident on its version when a new one is published, through a worker restart', async () => {
    await stack.call('POST', '/v1/playbooks', engineer, triageDoc('pinning v-a'));
    const current = (await stack.call('GET', '/v1/playbooks/triage-only', analyst)).body.version as number;
    const old = await postAlert(stack, ingest, alertBody({ rule: { id: 'triage-only-1' } }));
    expect((await stack.call('GET', `/v1/incidents/${old.incidentId}`, analyst)).body.playbook).toEqual({ id: 'triage-only', version: current });

    // The new version renames the way out: `finish` no longer exists for new incidents.
    const next = triageDoc('pinning v-b');
    next.stages.open.on = { complete: { to: 'done', requires: { fields: ['resolution'] } } } as never;
    expect((await stack.call('POST', '/v1/playbooks', engineer, next)).body.version).toBe(current + 1);
    const fresh = await postAlert(stack, ingest, alertBody({ rule: { id: 'triage-only-2' } }));
    expect((await stack.call('GET', `/v1/incidents/${fresh.incidentId}`, analyst)).body).toMatchObject({
      playbook: { version: current + 1 },
      allowedEvents: ['complete'],
    });

    await stack.stopWorker();
    await stack.startWorker();
    const oldView = await stack.call('GET', `/v1/incidents/${old.incidentId}`, analyst);
    expect(oldView.body).toMatchObject({ playbook: { version: current }, allowedEvents: ['finish'] });
    expect((await stack.call('POST', `/v1/incidents/${old.incidentId}/transitions`, analyst, { event: 'complete' })).status).toBe(409);
    const finished = await stack.call('POST', `/v1/incidents/${old.incidentId}/transitions`, analyst, { event: 'finish', fields: { resolution: 'benign' } });
    expect(finished.status).toBe(200);
    expect(finished.body).toMatchObject({ stage: 'done', playbook: { version: current } });
  });
});
