/** Case work's pure parts: mentions, overdue, who reads a note, the workflow's case work, task gates and their replay. */
import { describe, expect, it } from 'vitest';
import { isOverdue, mayReadNote, mentionsIn } from '../../machines/casework.js';
import type { AuditEvent } from '../../machines/incident.types.js';
import type { PlaybookDocument } from '../../machines/playbook.types.js';
import { validatePlaybook } from '../../machines/playbook.validate.js';
import { isProcedureMet, missingProcedure } from '../../machines/procedure.js';
import { replayLifecycle } from '../../machines/replay.js';
import { CaseWork } from '../../workflows/incident.casework.js';

const DRILL: PlaybookDocument = {
  id: 'drill',
  name: 'Drill',
  initial: 'triage',
  stages: {
    triage: { tasks: [{ id: 'evidence', title: 'Collect evidence' }], on: { close: { to: 'closed', requires: { tasks: ['evidence'] } } } },
    closed: { closed: true },
  },
};

describe('mentions', () => {
  it('lists @names once each, in order, and not e-mail addresses', () => {
    expect(mentionsIn('@bob look; cc @carol.smith, @bob again. mail alice@example.com')).toEqual(['bob', 'carol.smith']);
    expect(mentionsIn('(@dora) and @élodie_2!')).toEqual(['dora', 'élodie_2']);
    expect(mentionsIn('no one here @ all')).toEqual([]);
  });
});

describe('overdue and visibility', () => {
  it('judges overdue as instants, outstanding tasks only', () => {
    const now = '2026-06-01T10:00:00.000Z';
    expect(isOverdue({ status: 'open', dueAt: '2026-06-01T11:30:00+02:00' }, now)).toBe(true);
    expect(isOverdue({ status: 'in_progress', dueAt: '2026-06-01T10:30:00.000Z' }, now)).toBe(false);
    expect(isOverdue({ status: 'done', dueAt: '2026-01-01T00:00:00.000Z' }, now)).toBe(false);
    expect(isOverdue({ status: 'open', dueAt: null }, now)).toBe(false);
  });

  it('shows restricted notes to the author, admins and auditors', () => {
    const note = { visibility: 'restricted' as const, author: 'alice' };
    expect(mayReadNote(note, { name: 'alice', roles: ['analyst'] })).toBe(true);
    expect(mayReadNote(note, { name: 'root', roles: ['admin'] })).toBe(true);
    expect(mayReadNote(note, { name: 'audrey', roles: ['auditor'] })).toBe(true);
    expect(mayReadNote(note, { name: 'bob', roles: ['analyst', 'approver'] })).toBe(false);
    expect(mayReadNote({ ...note, visibility: 'team' }, { name: 'bob', roles: ['approver'] })).toBe(true);
  });
});

describe('the workflow’s case work', () => {
  const now = '2026-06-01T10:00:00.000Z';

  it('versions notes without keeping their bodies, and lets only the author or an admin change one', () => {
    const work = new CaseWork();
    const added = work.note({ op: 'add', noteId: 'N-1', body: 'hi @bob', visibility: 'team', actor: 'alice' });
    expect(added).toMatchObject({ type: 'note_added', data: { noteId: 'N-1', version: 1, mentions: ['bob'] } });
    expect(work.judgeNote({ op: 'edit', noteId: 'N-1', body: 'x', actor: 'bob' })).toMatchObject({ ok: false, reason: 'notNoteAuthor' });
    expect(work.judgeNote({ op: 'edit', noteId: 'N-1', body: 'x', actor: 'root', actorRoles: ['admin'] })).toEqual({ ok: true });
    expect(work.note({ op: 'edit', noteId: 'N-1', body: 'x', actor: 'alice' })).toMatchObject({ type: 'note_edited', data: { version: 2, author: 'alice' } });
    work.note({ op: 'delete', noteId: 'N-1', actor: 'alice' });
    expect(work.judgeNote({ op: 'delete', noteId: 'N-1', actor: 'alice' })).toMatchObject({ ok: false, reason: 'noteNotFound' });
    expect(JSON.stringify(work.carry())).not.toContain('hi @bob');
  });

  it('creates a stage’s tasks once, tracks done ones and refuses to undo one an approval waits on', () => {
    const work = new CaseWork();
    expect(work.stageEntered('triage', DRILL.stages.triage, now).map((d) => d.data.taskId)).toEqual(['evidence']);
    expect(work.stageEntered('triage', DRILL.stages.triage, now)).toEqual([]);
    expect(work.task({ op: 'update', taskId: 'evidence', status: 'done', actor: 'alice' }, 'triage', now)).toMatchObject({ type: 'task_updated', data: { taskId: 'evidence', status: 'done', changes: { status: 'done' } } });
    expect(work.doneTasks()).toEqual(['evidence']);
    expect(work.judgeTask({ op: 'update', taskId: 'evidence', status: 'open', actor: 'alice' }, () => 'close')).toMatchObject({ ok: false, reason: 'taskRequiredByApproval' });
    expect(work.judgeTask({ op: 'update', taskId: 'evidence', assignee: 'bob', actor: 'alice' }, () => 'close')).toEqual({ ok: true });
    expect(work.judgeTask({ op: 'update', taskId: 'nope', status: 'done', actor: 'alice' })).toMatchObject({ ok: false, reason: 'taskNotFound' });
    const carried = new CaseWork(work.carry());
    expect(carried.views(now)).toEqual(work.views(now));
  });
});

describe('task gates', () => {
  it('lists required tasks not done as missing', () => {
    const requires = DRILL.stages.triage!.on!.close!.requires;
    expect(missingProcedure(requires, { known: {} })).toEqual({ fields: [], checklist: [], tasks: ['evidence'] });
    expect(isProcedureMet(missingProcedure(requires, { known: {}, doneTasks: ['evidence'] }))).toBe(true);
  });

  it('validates task ids and the tasks gates require', () => {
    const broken = structuredClone(DRILL) as PlaybookDocument;
    broken.stages.closed!.tasks = [{ id: 'evidence', title: 'again' }];
    broken.stages.triage!.on!.close!.requires = { tasks: ['evidence', 'no-such-task'] };
    const result = validatePlaybook(broken);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.errors).toEqual([
      { path: 'stages.closed.tasks.0.id', message: 'duplicate task id: evidence' },
      { path: 'stages.triage.on.close.requires.tasks.1', message: 'names no task a stage creates: no-such-task' },
    ]);
    expect(validatePlaybook(DRILL).ok).toBe(true);
  });

  it('replays a task-gated transition against the task events of the log', () => {
    let seq = 0;
    const ev = (type: string, from: string | null, to: string | null, data: Record<string, unknown> = {}): AuditEvent => ({ seq: ++seq, at: `2026-01-01T00:00:0${seq}.000Z`, type, actor: 'alice', from, to, data });
    const log = [
      ev('incident_opened', null, 'triage'),
      ev('task_created', null, null, { taskId: 'evidence', status: 'open' }),
      ev('task_updated', null, null, { taskId: 'evidence', status: 'done' }),
      ev('transitioned', 'triage', 'closed', { event: 'close' }),
    ];
    expect(replayLifecycle(DRILL, log, 'closed')).toMatchObject({ machineConsistent: true });
    const forged = log.filter((e) => e.type !== 'task_updated');
    const replay = replayLifecycle(DRILL, forged, 'closed');
    expect(replay.machineConsistent).toBe(false);
    expect(replay.mismatches[0]!.problem).toContain('"tasks":["evidence"]');
  });
});
