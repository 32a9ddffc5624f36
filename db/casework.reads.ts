/**
 * Read models of case work: an incident's notes folded from its ledger (every version kept
 * there; the view shows the latest), and tasks across incidents from the projection.
 */
import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import { isOverdue, mayReadNote, type CaseTask, type NoteVisibility } from '../machines/casework.js';
import type { Database } from './client.js';
import { incidentEvents } from './schema.js';
import { selectRows } from './sql-rows.js';

export const NOTE_EVENT_TYPES = ['note_added', 'note_edited', 'note_deleted'] as const;

export interface NoteVersion {
  version: number;
  /** Null for the version that deleted the note. */
  body: string | null;
  mentions: string[];
  by: string;
  at: string;
  seq: number;
  change: 'added' | 'edited' | 'deleted';
}

export interface Note {
  id: string;
  incidentId: string;
  visibility: NoteVisibility;
  author: string;
  authorName?: string;
  body: string;
  mentions: string[];
  version: number;
  createdAt: string;
  updatedAt: string;
  deleted: boolean;
  versions: NoteVersion[];
}

export interface Reader {
  name: string;
  roles: readonly string[];
}

type NoteData = { noteId?: string; version?: number; visibility?: NoteVisibility; body?: string; mentions?: string[]; actorName?: string };

/** Every note of an incident with all its versions, in the order they were added. */
export async function incidentNotes(db: Database, incidentId: string): Promise<Note[]> {
  const rows = await db
    .select({ seq: incidentEvents.seq, at: incidentEvents.at, type: incidentEvents.type, actor: incidentEvents.actor, data: incidentEvents.data })
    .from(incidentEvents)
    .where(and(eq(incidentEvents.incidentId, incidentId), inArray(incidentEvents.type, [...NOTE_EVENT_TYPES])))
    .orderBy(asc(incidentEvents.seq));
  const notes = new Map<string, Note>();
  for (const row of rows) {
    const data = row.data as NoteData;
    if (!data.noteId) continue;
    const at = row.at.toISOString();
    const change = row.type === 'note_added' ? 'added' : row.type === 'note_edited' ? 'edited' : 'deleted';
    const body = change === 'deleted' ? null : (data.body ?? '');
    const version: NoteVersion = { version: data.version ?? 1, body, mentions: data.mentions ?? [], by: row.actor, at, seq: row.seq, change };
    const note = notes.get(data.noteId);
    if (!note) {
      if (change !== 'added') continue;
      const { visibility = 'team', actorName } = data;
      notes.set(data.noteId, { id: data.noteId, incidentId, visibility, author: row.actor, ...(actorName ? { authorName: actorName } : {}), body: body ?? '', mentions: version.mentions, version: version.version, createdAt: at, updatedAt: at, deleted: false, versions: [version] });
      continue;
    }
    note.versions.push(version);
    Object.assign(note, { version: version.version, updatedAt: at, deleted: change === 'deleted' });
    if (body !== null) Object.assign(note, { body, mentions: version.mentions });
  }
  return [...notes.values()];
}

/** Notes the reader may see; the versions stay out of the list (`GET …/notes/:noteId/versions`). */
export function visibleNotes(notes: Note[], reader: Reader, includeDeleted = false): Array<Omit<Note, 'versions'>> {
  return notes.filter((n) => mayReadNote(n, reader) && (includeDeleted || !n.deleted)).map(({ versions: _versions, ...note }) => note);
}

export interface TaskListFilter {
  assignee?: string;
  overdue?: boolean;
  /** Default: open and in progress. */
  status?: string[];
  limit: number;
  now?: Date;
}

export interface ListedTask {
  incident: { id: string; title: string; priority: string; stage: string };
  task: CaseTask & { overdue: boolean };
}

/**
 * Tasks of open incidents across the service, those due first first (undated last); `overdue`
 * keeps the outstanding ones past their due time.
 */
export async function listTasks(db: Database, filter: TaskListFilter): Promise<ListedTask[]> {
  const now = filter.now ?? new Date();
  const statuses = filter.status ?? ['open', 'in_progress'];
  const rows = await selectRows<{ incident_id: string; title: string; priority: string; stage: string; task: CaseTask | string }>(
    db,
    sql`select i.id as incident_id, i.title, i.priority, i.stage, t.task
        from incidents i cross join lateral jsonb_array_elements(i.tasks) as t(task)
        where i.open and jsonb_array_length(i.tasks) > 0
          and t.task->>'status' in (${sql.join(statuses.map((s) => sql`${s}`), sql`, `)})
          ${filter.assignee ? sql`and t.task->>'assignee' = ${filter.assignee}` : sql``}
          ${filter.overdue ? sql`and t.task->>'dueAt' is not null and (t.task->>'dueAt')::timestamptz < ${now.toISOString()}::timestamptz` : sql``}
        order by (t.task->>'dueAt')::timestamptz asc nulls last, i.priority asc, i.id asc
        limit ${filter.limit}`,
  );
  return rows.map((r) => {
    // postgres.js through drizzle leaves jsonb as text in raw queries; PGlite parses it.
    const task = (typeof r.task === 'string' ? JSON.parse(r.task) : r.task) as CaseTask;
    const incident = { id: r.incident_id, title: r.title, priority: r.priority, stage: r.stage };
    return { incident, task: { ...task, overdue: isOverdue(task, now.toISOString()) } };
  });
}

/**
 * A ledger event as a reader may see it: the text of a restricted note stays out for readers
 * who may not read it (`redacted: true`; its hash then no longer verifies from this copy - the
 * service verifies the chain from the ledger, and auditors read everything).
 */
export function redactedFor<E extends { type: string; actor: string; data: unknown }>(event: E, reader: Reader): E {
  if (!event.type.startsWith('note_')) return event;
  const data = (event.data ?? {}) as NoteData & { author?: string };
  if (data.visibility !== 'restricted' || mayReadNote({ visibility: 'restricted', author: data.author ?? event.actor }, reader)) return event;
  const { body: _body, mentions: _mentions, ...rest } = data;
  return { ...event, data: { ...rest, redacted: true } };
}
