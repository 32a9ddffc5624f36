/**
 * One allowed event as a form built from its procedure: required fields (the playbook's
 * controlled values as choices), checklist items, who must approve; the API's 409/422 inline.
 */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api, ApiError, type PlaybookDocument, type Procedure } from '../api.js';

export function procedureOf(playbook: PlaybookDocument | undefined, stage: string, event: string): Procedure | undefined {
  if (!playbook) return undefined;
  return playbook.stages[stage]?.on?.[event]?.requires ?? playbook.on?.[event]?.requires;
}

function explain(error: unknown): string {
  if (!(error instanceof ApiError)) return String(error);
  const missing = error.problem.missing as { fields?: string[]; checklist?: string[]; tasks?: string[] } | undefined;
  if (!missing) return error.message;
  const parts = [
    missing.fields?.length ? `fields ${missing.fields.join(', ')}` : '',
    missing.checklist?.length ? `checklist ${missing.checklist.join(', ')}` : '',
    missing.tasks?.length ? `tasks ${missing.tasks.join(', ')} (not done)` : '',
  ].filter(Boolean);
  return `${error.problem.title ?? 'Procedure not met'}: missing ${parts.join('; ')}`;
}

export function TransitionForm({ incidentId, event, procedure, fieldValues, onDone }: { incidentId: string; event: string; procedure?: Procedure; fieldValues: PlaybookDocument['fields']; onDone: () => void }) {
  const [fields, setFields] = useState<Record<string, string>>({});
  const [checklist, setChecklist] = useState<string[]>([]);
  const [comment, setComment] = useState('');
  const queries = useQueryClient();
  const send = useMutation({
    mutationFn: () =>
      api(`/v1/incidents/${encodeURIComponent(incidentId)}/transitions`, {
        method: 'POST',
        body: { event, ...(Object.keys(fields).length ? { fields } : {}), ...(checklist.length ? { checklist } : {}), ...(comment ? { comment } : {}) },
      }),
    onSuccess: async () => {
      await queries.invalidateQueries({ queryKey: ['incident', incidentId] });
      onDone();
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    send.mutate();
  };
  return (
    <form className="transition" onSubmit={submit} aria-label={`Transition ${event}`}>
      <h3>{event}</h3>
      {(procedure?.fields ?? []).map((name) => {
        const values = fieldValues?.[name]?.values;
        return (
          <label key={name}>
            {name} (required){' '}
            {values ? (
              <select value={fields[name] ?? ''} onChange={(e) => setFields({ ...fields, [name]: e.target.value })}>
                <option value="">choose…</option>
                {values.map((v) => (
                  <option key={v}>{v}</option>
                ))}
              </select>
            ) : (
              <input name={name} value={fields[name] ?? ''} onChange={(e) => setFields({ ...fields, [name]: e.target.value })} />
            )}
          </label>
        );
      })}
      {(procedure?.checklist ?? []).map((item) => (
        <label key={item}>
          <input type="checkbox" checked={checklist.includes(item)} onChange={(e) => setChecklist(e.target.checked ? [...checklist, item] : checklist.filter((c) => c !== item))} /> {item}
        </label>
      ))}
      {procedure?.tasks?.length ? <p className="muted">Needs these tasks done: {procedure.tasks.join(', ')}</p> : null}
      {procedure?.approvals && (
        <p className="muted">
          Needs {procedure.approvals.count} approval(s) by {procedure.approvals.roles.join(' or ')}, never the requester.
        </p>
      )}
      <label>
        Comment <input name="comment" value={comment} onChange={(e) => setComment(e.target.value)} />
      </label>
      <button type="submit" disabled={send.isPending}>
        Apply {event}
      </button>
      {send.error && (
        <p role="alert" className="error">
          {explain(send.error)}
        </p>
      )}
    </form>
  );
}
