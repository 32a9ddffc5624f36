/**
 * Case work beside the lifecycle: notes people write and tasks they split the work into. Pure
 * types and rules shared by the workflow (which records them), the read side and the API.
 */

export const NOTE_VISIBILITIES = ['team', 'restricted'] as const;
export type NoteVisibility = (typeof NOTE_VISIBILITIES)[number];

/** The largest note body accepted, in bytes of UTF-8 (64 KB). */
export const MAX_NOTE_BYTES = 64 * 1024;

export const TASK_STATUSES = ['open', 'in_progress', 'done', 'cancelled'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

/** A task as the incident holds it and shows it. */
export interface CaseTask {
  id: string;
  title: string;
  description?: string;
  status: TaskStatus;
  assignee: string | null;
  dueAt: string | null;
  /** The stage that created it (playbook tasks) or that it belongs to. */
  stage: string | null;
  /** The role a playbook expects to do it. */
  role?: string;
  /** `playbook`: created on entering a stage; `person`: added by hand. */
  origin: 'playbook' | 'person';
  createdBy: string;
  createdAt: string;
  updatedAt: string;
}

/** How one incident relates to another; each side records the relation as it reads from there. */
export const LINK_RELATIONS = ['related', 'duplicate-of', 'caused-by', 'parent-of'] as const;
export type LinkRelation = (typeof LINK_RELATIONS)[number];
/** The relation as the other side records it; merges record `merged-into` and `merged-from`. */
export const INVERSE_RELATION = {
  related: 'related',
  'duplicate-of': 'duplicated-by',
  'caused-by': 'caused',
  'parent-of': 'child-of',
  'merged-into': 'merged-from',
} as const;
export type RecordedRelation = LinkRelation | (typeof INVERSE_RELATION)[keyof typeof INVERSE_RELATION] | 'merged-into';

export interface CaseLink {
  incidentId: string;
  relation: RecordedRelation;
  by: string;
  at: string;
}

/** What the incident keeps of a note: enough to judge edits, never its body. */
export interface NoteMeta {
  author: string;
  visibility: NoteVisibility;
  version: number;
  deleted: boolean;
}

/** Still to be worked on: open or in progress. */
export function isOutstanding(task: Pick<CaseTask, 'status'>): boolean {
  return task.status === 'open' || task.status === 'in_progress';
}

/** Outstanding with its due time passed, at `now` (instants compared, not strings). */
export function isOverdue(task: Pick<CaseTask, 'status' | 'dueAt'>, now: string): boolean {
  return isOutstanding(task) && task.dueAt !== null && Date.parse(task.dueAt) < Date.parse(now);
}

/**
 * The people a note mentions: `@name` where name is letters, digits and `._-` (an e-mail
 * address is not a mention: the `@` must start a word). Unique, in order of appearance.
 */
export function mentionsIn(body: string): string[] {
  const found = new Set<string>();
  for (const match of body.matchAll(/(?<![\p{L}\p{N}_.+-])@([\p{L}\p{N}][\p{L}\p{N}._-]{0,99})/gu)) {
    found.add(match[1]!.replace(/[._-]+$/, ''));
  }
  return [...found];
}

/** Who may read a note: everyone who reads the incident, or (restricted) its author, admins and auditors. */
export function mayReadNote(note: { visibility: NoteVisibility; author: string }, reader: { name: string; roles: readonly string[] }): boolean {
  if (note.visibility === 'team') return true;
  return note.author === reader.name || reader.roles.includes('admin') || reader.roles.includes('auditor');
}
