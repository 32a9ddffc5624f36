/**
 * The incident's case work inside the workflow: the notes people write (what the incident keeps
 * of them is who wrote them and their version, never their bodies: those go to the ledger with
 * the step) and the tasks the work is split into, some created by the playbook on entering a
 * stage. Plain and deterministic; it returns audit step drafts for the lifecycle object to queue.
 */
import { isOverdue, mentionsIn, type CaseLink, type CaseTask, type NoteMeta, type NoteVisibility, type RecordedRelation, type TaskStatus } from '../machines/casework.js';
import type { StageDefinition } from '../machines/playbook.types.js';
import type { Observable } from '../machines/context.types.js';
import type { JsonValue } from '../machines/procedure.js';
import { requesterData, type StepDraft } from './incident.knowledge.js';
import { EvidenceLocker, type EvidenceRequest, type EvidenceState, type EvidenceVerdict } from './incident.evidence.js';

/** The part of the case work that crosses continue-as-new. */
export interface CaseWorkState {
  notes: Array<[string, NoteMeta]>;
  tasks: CaseTask[];
  evidence?: EvidenceState;
  links?: CaseLink[];
  /** Incidents merged into this one. */
  mergedFrom?: string[];
  /** The incident this one was merged into. */
  mergedInto?: string;
}

/**
 * Links and merges. `link`: one side of a link (the API records both, the far side with the
 * inverse relation). A merge records `absorb` on the target (the source's outstanding tasks come
 * along), then `mergeInto` on the source, which closes it.
 */
export type LinkRequest = Requester &
  ({ op: 'link'; incidentId: string; relation: RecordedRelation } | { op: 'absorb'; from: string; tasks: CaseTask[] } | { op: 'mergeInto'; into: string });

interface Requester {
  actor: string;
  actorName?: string;
  /** The requester's roles: an admin may edit or delete any note. */
  actorRoles?: string[];
  normalised?: string[];
}

/** `observables`: what the API found named in the body (indexed across incidents). */
export type NoteRequest = Requester &
  (
    | { op: 'add'; noteId: string; body: string; visibility: NoteVisibility; observables?: Observable[] }
    | { op: 'edit'; noteId: string; body: string; observables?: Observable[] }
    | { op: 'delete'; noteId: string }
  );

/** An observable added by hand; `ioc`: it indicates compromise (the API adds it to the intel context). */
export type ObservableRequest = Requester & { observable: Observable; tlp?: Tlp; ioc?: boolean };
export const TLP_LEVELS = ['clear', 'green', 'amber', 'amber+strict', 'red'] as const;
export type Tlp = (typeof TLP_LEVELS)[number];

export type TaskRequest = Requester &
  (
    | { op: 'add'; taskId: string; title: string; description?: string; assignee?: string | null; dueAt?: string | null; stage?: string | null }
    | { op: 'update'; taskId: string; status?: TaskStatus; assignee?: string | null; dueAt?: string | null }
  );

/** Why a case-work request is refused; the API answers 404, 409 or 403. */
export type CaseWorkRefusal = 'noteNotFound' | 'noteExists' | 'notNoteAuthor' | 'taskNotFound' | 'taskExists' | 'taskRequiredByApproval' | 'incidentClosed';
export type CaseWorkVerdict = { ok: true } | { ok: false; reason: CaseWorkRefusal; message: string };

/** A task as a view shows it: overdue judged at the view's instant. */
export type CaseTaskView = CaseTask & { overdue: boolean };

const OK: CaseWorkVerdict = { ok: true };
const who = requesterData;

const named = (observables: Observable[] | undefined): Record<string, JsonValue> =>
  observables && observables.length > 0 ? { observables: observables.map(({ type, value }) => ({ type, value })) } : {};

/** The step of an observable added by hand. */
export function observableDraft({ observable, tlp, ioc, actor, ...rest }: ObservableRequest): StepDraft {
  return { type: 'observable_added', actor, data: { ...named([observable]), ...(tlp ? { tlp } : {}), ioc: ioc === true, ...who(rest) } };
}

export class CaseWork {
  private readonly notes: Map<string, NoteMeta>;
  private readonly tasks: Map<string, CaseTask>;
  private readonly evidence: EvidenceLocker;
  private readonly links: CaseLink[];
  private readonly mergedFrom: Set<string>;
  /** The incident this one was merged into, once it was. */
  mergedInto: string | null;

  constructor(carried?: CaseWorkState) {
    this.links = (carried?.links ?? []).map((l) => ({ ...l }));
    this.mergedFrom = new Set(carried?.mergedFrom ?? []);
    this.mergedInto = carried?.mergedInto ?? null;
    this.notes = new Map(carried?.notes ?? []);
    this.tasks = new Map((carried?.tasks ?? []).map((t) => [t.id, t]));
    this.evidence = new EvidenceLocker(carried?.evidence);
  }

  judgeEvidence = (request: EvidenceRequest): EvidenceVerdict => this.evidence.judge(request);
  /** Records an evidence request the validator accepted. */
  recordEvidence = (request: EvidenceRequest): StepDraft => this.evidence.record(request);

  judgeNote(request: NoteRequest): CaseWorkVerdict {
    const note = this.notes.get(request.noteId);
    if (request.op === 'add') return note ? { ok: false, reason: 'noteExists', message: `note ${request.noteId} exists` } : OK;
    if (!note || note.deleted) return { ok: false, reason: 'noteNotFound', message: `the incident has no note ${request.noteId}` };
    if (note.author !== request.actor && !(request.actorRoles ?? []).includes('admin')) {
      return { ok: false, reason: 'notNoteAuthor', message: `note ${request.noteId} is ${note.author}'s: only its author or an admin may change it` };
    }
    return OK;
  }

  /** Records a note request the validator accepted. */
  note(request: NoteRequest): StepDraft {
    const { noteId, actor } = request;
    if (request.op === 'add') {
      this.notes.set(noteId, { author: actor, visibility: request.visibility, version: 1, deleted: false });
      const data = { noteId, version: 1, visibility: request.visibility, body: request.body, mentions: mentionsIn(request.body), ...named(request.observables), ...who(request) };
      return { type: 'note_added', actor, data };
    }
    const note = this.notes.get(noteId)!;
    note.version += 1;
    if (request.op === 'delete') {
      note.deleted = true;
      return { type: 'note_deleted', actor, data: { noteId, version: note.version, visibility: note.visibility, author: note.author, ...who(request) } };
    }
    const data = { noteId, version: note.version, visibility: note.visibility, author: note.author, body: request.body, mentions: mentionsIn(request.body), ...named(request.observables), ...who(request) };
    return { type: 'note_edited', actor, data };
  }

  /** `waitingFor(taskId)`: the event of a pending approval whose gate requires the task, if any. */
  judgeTask(request: TaskRequest, waitingFor: (taskId: string) => string | undefined = () => undefined): CaseWorkVerdict {
    const task = this.tasks.get(request.taskId);
    if (request.op === 'add') return task ? { ok: false, reason: 'taskExists', message: `task ${request.taskId} exists` } : OK;
    if (!task) return { ok: false, reason: 'taskNotFound', message: `the incident has no task ${request.taskId}` };
    const event = task.status === 'done' && request.status !== undefined && request.status !== 'done' ? waitingFor(task.id) : undefined;
    if (event) return { ok: false, reason: 'taskRequiredByApproval', message: `task ${task.id} is required by ${event}, which waits for approval: it stays done until that is decided` };
    return OK;
  }

  /** Records a task request the validator accepted. */
  task(request: TaskRequest, stage: string, now: string): StepDraft {
    if (request.op === 'add') {
      const { taskId, title, description, actor } = request;
      return this.create({ id: taskId, title, ...(description ? { description } : {}), assignee: request.assignee ?? null, dueAt: request.dueAt ?? null, stage: request.stage ?? stage, origin: 'person' }, actor, now, who(request));
    }
    const task = this.tasks.get(request.taskId)!;
    const changes: Record<string, JsonValue> = {};
    if (request.status !== undefined && request.status !== task.status) changes.status = task.status = request.status;
    if (request.assignee !== undefined && request.assignee !== task.assignee) changes.assignee = task.assignee = request.assignee;
    if (request.dueAt !== undefined && request.dueAt !== task.dueAt) changes.dueAt = task.dueAt = request.dueAt;
    task.updatedAt = now;
    return { type: 'task_updated', actor: request.actor, data: { taskId: task.id, status: task.status, changes, ...who(request) } };
  }

  /** The tasks a stage creates on entry that the incident does not have yet. */
  stageEntered(stage: string, definition: StageDefinition | undefined, now: string): StepDraft[] {
    return (definition?.tasks ?? [])
      .filter((t) => !this.tasks.has(t.id))
      .map((t) => this.create({ id: t.id, title: t.title, ...(t.role ? { role: t.role } : {}), assignee: null, dueAt: null, stage, origin: 'playbook' }, 'system', now, {}));
  }

  isEmpty(): boolean {
    return this.notes.size === 0 && this.tasks.size === 0 && this.evidence.isEmpty() && this.links.length === 0;
  }

  /** One side of a link; null when the incident has it already (linking again changes nothing). */
  link(incidentId: string, relation: RecordedRelation, actor: string, now: string, extra: Record<string, JsonValue> = {}): StepDraft | null {
    if (this.links.some((l) => l.incidentId === incidentId && l.relation === relation)) return null;
    this.links.push({ incidentId, relation, by: actor, at: now });
    return { type: 'incident_linked', actor, data: { incidentId, relation, ...extra } };
  }

  /** The target's side of a merge: the record, the link, and the source's tasks it takes on (ids it has already are left). */
  absorb(request: Extract<LinkRequest, { op: 'absorb' }>, now: string): StepDraft[] {
    if (this.mergedFrom.has(request.from)) return [];
    this.mergedFrom.add(request.from);
    const taken = request.tasks.filter((t) => !this.tasks.has(t.id));
    const link = this.link(request.from, 'merged-from', request.actor, now, who(request));
    const merged: StepDraft = { type: 'incident_merged', actor: request.actor, data: { from: request.from, tasks: taken.map((t) => t.id), ...who(request) } };
    const tasks = taken.map((t) => {
      const { id, title, description, assignee, dueAt, stage, role } = t;
      return this.create({ id, title, ...(description ? { description } : {}), assignee, dueAt, stage, ...(role ? { role } : {}), origin: 'person' }, request.actor, now, { mergedFrom: request.from });
    });
    return [merged, ...(link ? [link] : []), ...tasks];
  }

  /** The source's side of a merge, before it closes: the record and the link. */
  mergeInto(request: Extract<LinkRequest, { op: 'mergeInto' }>, now: string): StepDraft[] {
    this.mergedInto = request.into;
    const link = this.link(request.into, 'merged-into', request.actor, now, who(request));
    return [{ type: 'incident_merged', actor: request.actor, data: { into: request.into, ...who(request) } }, ...(link ? [link] : [])];
  }

  linkViews = (): CaseLink[] => this.links.map((l) => ({ ...l }));

  doneTasks(): string[] {
    return [...this.tasks.values()].filter((t) => t.status === 'done').map((t) => t.id);
  }

  /** Copies, in the order they were created. */
  views(now: string): CaseTaskView[] {
    return [...this.tasks.values()].map((t) => ({ ...t, overdue: isOverdue(t, now) }));
  }

  carry(): CaseWorkState {
    const evidence = this.evidence.isEmpty() ? {} : { evidence: this.evidence.carry() };
    const links = this.links.length > 0 ? { links: this.linkViews() } : {};
    const merges = { ...(this.mergedFrom.size > 0 ? { mergedFrom: [...this.mergedFrom] } : {}), ...(this.mergedInto ? { mergedInto: this.mergedInto } : {}) };
    return { notes: [...this.notes].map(([id, meta]) => [id, { ...meta }]), tasks: [...this.tasks.values()].map((t) => ({ ...t })), ...evidence, ...links, ...merges };
  }

  private create(task: Omit<CaseTask, 'status' | 'createdBy' | 'createdAt' | 'updatedAt'>, actor: string, now: string, extra: Record<string, JsonValue>): StepDraft {
    const created: CaseTask = { ...task, status: 'open', createdBy: actor, createdAt: now, updatedAt: now };
    this.tasks.set(created.id, created);
    const { id, createdAt: _c, updatedAt: _u, ...rest } = created;
    return { type: 'task_created', actor, data: { taskId: id, ...(rest as unknown as Record<string, JsonValue>), ...extra } };
  }
}
