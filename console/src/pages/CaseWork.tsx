/** An incident's notes, tasks and timeline. */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api, holds, type CaseTask, type Me } from '../api.js';
import { Time } from '../time.js';

interface Note {
  id: string;
  author: string;
  body: string;
  visibility: string;
  version: number;
  mentions: string[];
  updatedAt: string;
}

const path = (id: string, rest: string) => `/v1/incidents/${encodeURIComponent(id)}/${rest}`;

export function Notes({ id, me }: { id: string; me: Me }) {
  const queries = useQueryClient();
  const notes = useQuery({ queryKey: ['notes', id], queryFn: () => api<{ notes: Note[] }>(path(id, 'notes')), refetchInterval: 10_000 });
  const [body, setBody] = useState('');
  const add = useMutation({
    mutationFn: () => api(path(id, 'notes'), { method: 'POST', body: { body } }),
    onSuccess: async () => {
      setBody('');
      await queries.invalidateQueries({ queryKey: ['notes', id] });
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    add.mutate();
  };
  return (
    <section aria-labelledby="notes-title">
      <h2 id="notes-title">Notes</h2>
      <ul className="notes">
        {(notes.data?.notes ?? []).map((n) => (
          <li key={n.id}>
            <p className="note-body">{n.body}</p>
            <p className="muted">
              {n.author}, <Time at={n.updatedAt} /> {n.version > 1 ? `(edited, version ${n.version})` : ''} {n.visibility === 'restricted' ? '· restricted' : ''}
            </p>
          </li>
        ))}
      </ul>
      {holds(me, 'analyst') && (
        <form onSubmit={submit} aria-label="Add a note">
          <label htmlFor="note-body">New note (Markdown)</label>
          <textarea id="note-body" value={body} onChange={(e) => setBody(e.target.value)} rows={3} required />
          <button type="submit" disabled={add.isPending}>Add note</button>
          {add.error && <p role="alert" className="error">{String(add.error.message)}</p>}
        </form>
      )}
    </section>
  );
}

export function Tasks({ id, tasks, me }: { id: string; tasks: CaseTask[]; me: Me }) {
  const queries = useQueryClient();
  const change = useMutation({
    mutationFn: ({ taskId, status }: { taskId: string; status: string }) => api(path(id, `tasks/${encodeURIComponent(taskId)}`), { method: 'PATCH', body: { status } }),
    onSettled: () => queries.invalidateQueries({ queryKey: ['incident', id] }),
  });
  if (tasks.length === 0) return null;
  return (
    <section aria-labelledby="tasks-title">
      <h2 id="tasks-title">Tasks</h2>
      <ul className="tasks">
        {tasks.map((t) => (
          <li key={t.id} className={t.overdue ? 'overdue' : ''}>
            <label>
              {t.title} <span className="muted">({t.id}{t.assignee ? `, ${t.assignee}` : ''}{t.overdue ? ', overdue' : ''})</span>{' '}
              <select value={t.status} disabled={!holds(me, 'analyst') || change.isPending} onChange={(e) => change.mutate({ taskId: t.id, status: e.target.value })} aria-label={`Status of ${t.title}`}>
                {['open', 'in_progress', 'done', 'cancelled'].map((s) => (
                  <option key={s}>{s}</option>
                ))}
              </select>
            </label>
          </li>
        ))}
      </ul>
      {change.error && <p role="alert" className="error">{String(change.error.message)}</p>}
    </section>
  );
}

export function Timeline({ id }: { id: string }) {
  const timeline = useQuery({
    queryKey: ['timeline', id],
    queryFn: () => api<{ entries: Array<{ seq: number; at: string; kind: string; actor: string; summary: string }> }>(path(id, 'timeline?limit=500')),
    refetchInterval: 10_000,
  });
  return (
    <section aria-labelledby="timeline-title">
      <h2 id="timeline-title">Timeline</h2>
      <ol className="timeline">
        {(timeline.data?.entries ?? []).map((e) => (
          <li key={e.seq} className={`kind-${e.kind}`}>
            <Time at={e.at} /> <span className="muted">{e.actor}</span> {e.summary}
          </li>
        ))}
      </ol>
    </section>
  );
}
