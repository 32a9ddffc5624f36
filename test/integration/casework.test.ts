/**
 * Case work through the HTTP API on a real Temporal dev server and the test database: notes with
 * every version kept and restricted visibility, tasks a stage creates and a gate requires (422
 * until done), tasks across incidents, the timeline; the ledger verifies and the machine replay
 * agrees after every kind of case-work event.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../support/stack.js';

const PLAYBOOK = {
  id: 'casework-drill',
  name: 'Case work drill',
  initial: 'triage',
  stages: {
    triage: {
      tasks: [{ id: 'evidence-collected', title: 'Collect memory and disk images', role: 'analyst' }, { id: 'owner-informed', title: 'Tell the asset owner' }],
      on: { contain: { to: 'containment', requires: { tasks: ['evidence-collected'] } } },
    },
    containment: {
      tasks: [{ id: 'scope-checked', title: 'Check the scope' }],
      on: { close: { to: 'closed', requires: { tasks: ['scope-checked'], approvals: { count: 1, roles: ['approver'] } } } },
    },
    closed: { closed: true },
  },
};

let stack: Stack;
let alice: string; // analyst
let bob: string; // analyst
let audrey: string; // auditor
let paul: string; // approver

beforeAll(async () => {
  stack = await startStack();
  [alice, bob, audrey, paul] = await Promise.all([
    stack.token(['analyst'], 'alice'),
    stack.token(['analyst'], 'bob'),
    stack.token(['auditor'], 'audrey'),
    stack.token(['approver'], 'paul'),
  ]);
  const registered = await stack.call('POST', '/v1/playbooks', await stack.token(['engineer']), PLAYBOOK);
  expect(registered.status, JSON.stringify(registered.body)).toBe(201);
});
afterAll(async () => stack?.close());

async function newIncident(title = 'Case work'): Promise<string> {
  const created = await stack.call('POST', '/v1/incidents', alice, { title, severity: 'high', playbook: PLAYBOOK.id });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return created.body.id as string;
}

async function ledgerHolds(id: string): Promise<void> {
  const verify = await stack.call('GET', `/v1/incidents/${id}/history/verify`, audrey);
  expect(verify.body, JSON.stringify(verify.body)).toMatchObject({ valid: true });
  const replay = await stack.call('POST', `/v1/incidents/${id}/replay`, audrey);
  expect(replay.body, JSON.stringify(replay.body)).toMatchObject({ deterministic: true, machineConsistent: true });
}

describe('notes', () => {
  it('adds, edits and deletes a note, keeping every version in the ledger', async () => {
    const id = await newIncident();
    const added = await stack.call('POST', `/v1/incidents/${id}/notes`, alice, { body: 'Seen beaconing to 203.0.113.9; @bob please check the proxy, cc @carol.' });
    expect(added.status, JSON.stringify(added.body)).toBe(201);
    expect(added.body).toMatchObject({ author: 'alice', version: 1, visibility: 'team', mentions: ['bob', 'carol'], deleted: false });
    const noteId = added.body.id as string;
    expect(added.headers.location).toBe(`/v1/incidents/${id}/notes/${noteId}`);

    const edited = await stack.call('PATCH', `/v1/incidents/${id}/notes/${noteId}`, alice, { body: 'Beaconing to 203.0.113.9 confirmed by the proxy log.' });
    expect(edited.status, JSON.stringify(edited.body)).toBe(200);
    expect(edited.body).toMatchObject({ version: 2, body: 'Beaconing to 203.0.113.9 confirmed by the proxy log.', mentions: [] });
    const notOwner = await stack.call('PATCH', `/v1/incidents/${id}/notes/${noteId}`, bob, { body: 'mine now' });
    expect(notOwner.status).toBe(403);
    expect(notOwner.body.type).toBe('urn:irflow:problem:not-note-author');

    expect((await stack.call('GET', `/v1/incidents/${id}/notes`, paul)).body.notes).toHaveLength(1);
    expect((await stack.call('DELETE', `/v1/incidents/${id}/notes/${noteId}`, alice)).status).toBe(204);
    expect((await stack.call('GET', `/v1/incidents/${id}/notes`, alice)).body.notes).toEqual([]);
    const versions = await stack.call('GET', `/v1/incidents/${id}/notes/${noteId}/versions`, audrey);
    expect(versions.body.versions.map((v: { change: string; version: number }) => [v.change, v.version])).toEqual([
      ['added', 1],
      ['edited', 2],
      ['deleted', 3],
    ]);
    expect(versions.body.versions[0].body).toContain('@bob');
    expect((await stack.call('PATCH', `/v1/incidents/${id}/notes/${noteId}`, alice, { body: 'again' })).status).toBe(404);
    const types = (await stack.call('GET', `/v1/incidents/${id}/history`, audrey)).body.events.map((e: { type: string }) => e.type);
    expect(types.filter((t: string) => t.startsWith('note_'))).toEqual(['note_added', 'note_edited', 'note_deleted']);
    await ledgerHolds(id);
  });

  it('shows a restricted note to its author, admins and auditors only, in the notes, the history and the timeline', async () => {
    const id = await newIncident();
    const secret = 'The suspect is an insider in payroll.';
    const added = await stack.call('POST', `/v1/incidents/${id}/notes`, alice, { body: secret, visibility: 'restricted' });
    expect(added.status).toBe(201);
    const noteId = added.body.id as string;
    for (const [reader, sees] of [[alice, true], [audrey, true], [stack.adminToken, true], [bob, false], [paul, false]] as const) {
      const notes = (await stack.call('GET', `/v1/incidents/${id}/notes`, reader)).body.notes as Array<{ body: string }>;
      expect(notes.map((n) => n.body)).toEqual(sees ? [secret] : []);
      const timeline = JSON.stringify((await stack.call('GET', `/v1/incidents/${id}/timeline`, reader)).body);
      expect(timeline.includes('insider')).toBe(sees);
    }
    expect((await stack.call('GET', `/v1/incidents/${id}/notes/${noteId}/versions`, bob)).status).toBe(404);
    const history = JSON.stringify((await stack.call('GET', `/v1/incidents/${id}/history`, bob)).body);
    expect(history).not.toContain('insider');
    expect(history).toContain('"redacted":true');
    expect(JSON.stringify((await stack.call('GET', `/v1/incidents/${id}/history`, audrey)).body)).toContain('insider');
  });

  it('refuses a body over 64 KB of UTF-8 with a 400 and records nothing', async () => {
    const id = await newIncident();
    const tooLong = await stack.call('POST', `/v1/incidents/${id}/notes`, alice, { body: 'é'.repeat(40_000) });
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.detail).toContain('65536 bytes');
    expect((await stack.call('GET', `/v1/incidents/${id}/notes`, alice)).body.notes).toEqual([]);
  });

  it('answers a retried note under the same Idempotency-Key with the note it added first', async () => {
    const id = await newIncident();
    const headers = { 'idempotency-key': 'note-retry-1' };
    const first = await stack.call('POST', `/v1/incidents/${id}/notes`, alice, { body: 'once' }, headers);
    const again = await stack.call('POST', `/v1/incidents/${id}/notes`, alice, { body: 'once' }, headers);
    expect(again.status).toBe(201);
    expect(again.body.id).toBe(first.body.id);
    expect((await stack.call('GET', `/v1/incidents/${id}/notes`, alice)).body.notes).toHaveLength(1);
  });
});

describe('tasks', () => {
  it('creates a stage’s tasks on entry, blocks the gate with 422 until the required one is done', async () => {
    const id = await newIncident();
    const listed = await stack.call('GET', `/v1/incidents/${id}/tasks`, paul);
    expect(listed.body.tasks.map((t: { id: string; status: string; origin: string }) => [t.id, t.status, t.origin])).toEqual([
      ['evidence-collected', 'open', 'playbook'],
      ['owner-informed', 'open', 'playbook'],
    ]);
    const blocked = await stack.call('POST', `/v1/incidents/${id}/transitions`, alice, { event: 'contain' });
    expect(blocked.status).toBe(422);
    expect(blocked.body).toMatchObject({ type: 'urn:irflow:problem:procedure-not-met', missing: { fields: [], checklist: [], tasks: ['evidence-collected'] } });

    const started = await stack.call('PATCH', `/v1/incidents/${id}/tasks/evidence-collected`, bob, { status: 'in_progress', assignee: 'bob' });
    expect(started.status, JSON.stringify(started.body)).toBe(200);
    expect(started.body).toMatchObject({ id: 'evidence-collected', status: 'in_progress', assignee: 'bob' });
    expect((await stack.call('POST', `/v1/incidents/${id}/transitions`, alice, { event: 'contain' })).status).toBe(422);
    expect((await stack.call('PATCH', `/v1/incidents/${id}/tasks/evidence-collected`, bob, { status: 'done' })).body.status).toBe('done');
    const contained = await stack.call('POST', `/v1/incidents/${id}/transitions`, alice, { event: 'contain' });
    expect(contained.status, JSON.stringify(contained.body)).toBe(200);
    expect(contained.body.tasks.map((t: { id: string }) => t.id)).toEqual(['evidence-collected', 'owner-informed', 'scope-checked']);
    expect((await stack.call('PATCH', `/v1/incidents/${id}/tasks/no-such-task`, bob, { status: 'done' })).status).toBe(404);
    await ledgerHolds(id);
  });

  it('keeps a task required by a transition waiting for approval done until the approval is decided', async () => {
    const id = await newIncident();
    await stack.call('PATCH', `/v1/incidents/${id}/tasks/evidence-collected`, alice, { status: 'done' });
    expect((await stack.call('POST', `/v1/incidents/${id}/transitions`, alice, { event: 'contain' })).status).toBe(200);
    await stack.call('PATCH', `/v1/incidents/${id}/tasks/scope-checked`, alice, { status: 'done' });
    expect((await stack.call('POST', `/v1/incidents/${id}/transitions`, alice, { event: 'close' })).status).toBe(202);
    const undo = await stack.call('PATCH', `/v1/incidents/${id}/tasks/scope-checked`, alice, { status: 'open' });
    expect(undo.status).toBe(409);
    expect(undo.body.type).toBe('urn:irflow:problem:task-required-by-approval');
    const approved = await stack.call('POST', `/v1/incidents/${id}/approvals`, paul, { event: 'close', decision: 'approve' });
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    expect(approved.body.stage).toBe('closed');
    await ledgerHolds(id);
  });

  it('adds tasks by hand and lists outstanding and overdue ones across incidents', async () => {
    const [first, second] = [await newIncident('First'), await newIncident('Second')];
    const past = '2026-01-01T00:00:00.000Z';
    const overdue = await stack.call('POST', `/v1/incidents/${first}/tasks`, alice, { title: 'Reset the VPN token', assignee: 'dora', dueAt: past });
    expect(overdue.status, JSON.stringify(overdue.body)).toBe(201);
    expect(overdue.body).toMatchObject({ title: 'Reset the VPN token', status: 'open', origin: 'person', assignee: 'dora', overdue: true, createdBy: 'alice' });
    await stack.call('POST', `/v1/incidents/${second}/tasks`, alice, { title: 'Call the vendor', assignee: 'dora', dueAt: '2099-01-01T00:00:00.000Z' });
    const dora = await stack.call('GET', '/v1/tasks?assignee=dora', paul);
    expect(dora.status, JSON.stringify(dora.body)).toBe(200);
    expect(dora.body.tasks.map((t: { incident: { id: string }; task: { title: string } }) => [t.incident.id, t.task.title])).toEqual([
      [first, 'Reset the VPN token'],
      [second, 'Call the vendor'],
    ]);
    const late = await stack.call('GET', '/v1/tasks?assignee=dora&overdue=true', paul);
    expect(late.body.tasks.map((t: { task: { overdue: boolean } }) => t.task.overdue)).toEqual([true]);
    expect((await stack.call('GET', `/v1/incidents/${first}`, paul)).body.tasks.find((t: { origin: string }) => t.origin === 'person')).toMatchObject({ overdue: true });
    // A key sent again with another change, or for another task, is another request: never the first one's answer.
    const keyed = await stack.call('POST', `/v1/incidents/${first}/tasks`, alice, { title: 'Keyed' }, { 'idempotency-key': 'task-key-1' });
    expect(keyed.status).toBe(201);
    const other = await stack.call('PATCH', `/v1/incidents/${first}/tasks/${overdue.body.id}`, alice, { status: 'in_progress' }, { 'idempotency-key': 'task-key-1' });
    expect(other.body).toMatchObject({ id: overdue.body.id, status: 'in_progress' });
    const again = await stack.call('PATCH', `/v1/incidents/${first}/tasks/${overdue.body.id}`, alice, { status: 'in_progress' }, { 'idempotency-key': 'task-key-1' });
    expect(again.status).toBe(200);
    const changes = ((await stack.call('GET', `/v1/incidents/${first}/history`, alice)).body.events as Array<{ type: string; data: { taskId?: string } }>).filter((e) => e.type === 'task_updated' && e.data.taskId === overdue.body.id);
    expect(changes, 'the retried change is recorded once').toHaveLength(1);
    await stack.call('PATCH', `/v1/incidents/${first}/tasks/${overdue.body.id}`, alice, { status: 'done' });
    expect((await stack.call('GET', '/v1/tasks?assignee=dora&overdue=true', paul)).body.tasks).toEqual([]);
  });

  it('keeps due times in UTC, so an offset Postgres cannot read back never breaks the task lists (Schemathesis found a 500)', async () => {
    const id = await newIncident('Offsets');
    const farOffset = await stack.call('POST', `/v1/incidents/${id}/tasks`, alice, { title: 'Far east', assignee: 'erin', dueAt: '8147-03-01T10:00:00+20:30' });
    expect(farOffset.status, JSON.stringify(farOffset.body)).toBe(201);
    expect(farOffset.body.dueAt).toBe('8147-02-28T13:30:00.000Z');
    const moved = await stack.call('PATCH', `/v1/incidents/${id}/tasks/${farOffset.body.id}`, alice, { dueAt: '2030-01-01T00:00:00-19:00' });
    expect(moved.body.dueAt).toBe('2030-01-01T19:00:00.000Z');
    const listed = await stack.call('GET', '/v1/tasks?assignee=erin', paul);
    expect(listed.status, JSON.stringify(listed.body)).toBe(200);
    expect(listed.body.tasks.map((t: { task: { dueAt: string } }) => t.task.dueAt)).toEqual(['2030-01-01T19:00:00.000Z']);
  });
});

describe('timeline', () => {
  it('merges lifecycle, notes and tasks in ledger order, paginated', async () => {
    const id = await newIncident('Timeline');
    await stack.call('POST', `/v1/incidents/${id}/notes`, alice, { body: 'first look' });
    await stack.call('PATCH', `/v1/incidents/${id}/tasks/evidence-collected`, alice, { status: 'done' });
    await stack.call('POST', `/v1/incidents/${id}/transitions`, alice, { event: 'contain' });
    const all = await stack.call('GET', `/v1/incidents/${id}/timeline?limit=500`, paul);
    const kinds = all.body.entries.map((e: { kind: string }) => e.kind);
    expect(kinds[0]).toBe('lifecycle');
    for (const kind of ['note', 'task', 'lifecycle']) expect(kinds).toContain(kind);
    const seqs = all.body.entries.map((e: { seq: number }) => e.seq);
    expect(seqs).toEqual([...seqs].sort((a: number, b: number) => a - b));
    expect(all.body.entries.find((e: { type: string }) => e.type === 'transitioned').summary).toBe('contain: triage → containment');
    const page = await stack.call('GET', `/v1/incidents/${id}/timeline?limit=2`, paul);
    expect(page.body.entries).toHaveLength(2);
    const next = await stack.call('GET', `/v1/incidents/${id}/timeline?limit=500&after=${page.body.nextAfter}`, paul);
    expect([...page.body.entries, ...next.body.entries].map((e: { seq: number }) => e.seq)).toEqual(seqs);
    expect((await stack.call('GET', '/v1/incidents/INC-00000000-NOSUCH/timeline', paul)).status).toBe(404);
  });
});
