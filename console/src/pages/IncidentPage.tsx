/** One incident: stage, priority and why, SLA clocks, the allowed events as forms, approvals, case work, time travel. */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, holds, type Incident, type Me, type PendingApproval, type PlaybookDocument } from '../api.js';
import { Time, useNow } from '../time.js';
import { SlaClocks } from './SlaClocks.js';
import { Audit } from './Audit.js';
import { Alerts, ContextPanels, StageDiagram } from './IncidentContext.js';
import { Notes, Tasks, Timeline } from './CaseWork.js';
import { procedureOf, TransitionForm } from './TransitionForm.js';

function Approval({ incidentId, pending, me }: { incidentId: string; pending: PendingApproval; me: Me }) {
  const queries = useQueryClient();
  const decide = useMutation({
    mutationFn: (decision: 'approve' | 'reject') => api(`/v1/incidents/${encodeURIComponent(incidentId)}/approvals`, { method: 'POST', body: { event: pending.event, decision } }),
    onSettled: () => queries.invalidateQueries({ queryKey: ['incident', incidentId] }),
  });
  const mayDecide = holds(me, ...pending.roles);
  return (
    <li>
      <strong>{pending.event}</strong> waits for {pending.required - pending.granted.length} more approval(s) by {pending.roles.join(' or ')}; asked by {pending.requestedBy}, <Time at={pending.requestedAt} />
      {pending.requestedBy === me.name ? (
        <p className="muted">You asked for this: the two-person rule lets only someone else approve it.</p>
      ) : mayDecide ? (
        <span>
          {' '}
          <button type="button" onClick={() => decide.mutate('approve')} disabled={decide.isPending}>Approve {pending.event}</button>{' '}
          <button type="button" onClick={() => decide.mutate('reject')} disabled={decide.isPending}>Reject</button>
        </span>
      ) : (
        <p className="muted">Your roles ({me.roles.join(', ')}) cannot approve it.</p>
      )}
      {decide.error && <p role="alert" className="error">{String(decide.error.message)}</p>}
    </li>
  );
}

function AsOf({ id }: { id: string }) {
  const [at, setAt] = useState('');
  const past = useQuery({ queryKey: ['asOf', id, at], queryFn: () => api<{ stage: string; priority: string }>(`/v1/incidents/${encodeURIComponent(id)}?asOf=${encodeURIComponent(new Date(at).toISOString())}`), enabled: at !== '' });
  return (
    <section aria-labelledby="asof-title">
      <h2 id="asof-title">As of</h2>
      <label>
        Instant <input type="datetime-local" step={1} value={at} onChange={(e) => setAt(e.target.value)} aria-label="As of instant" />
      </label>
      {past.data && <p className="as-of">Then: stage {past.data.stage}, priority {past.data.priority}</p>}
      {past.error && <p role="alert" className="error">{String(past.error.message)}</p>}
    </section>
  );
}

export function IncidentPage({ id, me }: { id: string; me: Me }) {
  const now = useNow();
  const [open, setOpen] = useState<string | null>(null);
  const incident = useQuery({ queryKey: ['incident', id], queryFn: () => api<Incident>(`/v1/incidents/${encodeURIComponent(id)}`), refetchInterval: 5000 });
  const pin = incident.data?.playbook;
  const playbook = useQuery({
    queryKey: ['playbook', pin?.id, pin?.version],
    queryFn: () => api<{ document: PlaybookDocument }>(`/v1/playbooks/${pin!.id}/versions/${pin!.version}`),
    enabled: Boolean(pin),
    staleTime: Infinity,
  });
  if (incident.error) return <p role="alert" className="error">{String(incident.error.message)}</p>;
  const view = incident.data;
  if (!view) return <p className="loading">Loading {id}…</p>;
  const document = playbook.data?.document;
  return (
    <article aria-labelledby="incident-title">
      <h1 id="incident-title">{view.title}</h1>
      <dl className="facts">
        <dt>Stage</dt>
        <dd data-testid="stage">{view.stage}</dd>
        <dt>Priority</dt>
        <dd>
          {view.priority} <span className="muted">{view.priorityReason?.cell}</span>
        </dd>
        <dt>Severity</dt>
        <dd>{view.severity}</dd>
        <dt>Alerts</dt>
        <dd>{view.alertCount}</dd>
        <dt>Playbook</dt>
        <dd>
          {view.playbook.id} v{view.playbook.version}
        </dd>
        <dt>Assignee</dt>
        <dd>{view.assignee ?? 'nobody'}</dd>
      </dl>
      <SlaClocks clocks={view.sla} now={now} />
      {view.pendingApprovals.length > 0 && (
        <section aria-labelledby="pending-title">
          <h2 id="pending-title">Waiting for approval</h2>
          <ul>
            {view.pendingApprovals.map((p) => (
              <Approval key={p.event} incidentId={view.id} pending={p} me={me} />
            ))}
          </ul>
        </section>
      )}
      {holds(me, 'analyst') && (
        <section aria-labelledby="actions-title">
          <h2 id="actions-title">Actions</h2>
          <div className="events">
            {view.allowedEvents.map((event) => (
              <button key={event} type="button" aria-expanded={open === event} onClick={() => setOpen(open === event ? null : event)}>
                {event}
              </button>
            ))}
          </div>
          {open && <TransitionForm key={open} incidentId={view.id} event={open} procedure={procedureOf(document, view.stage, open)} fieldValues={document?.fields} onDone={() => setOpen(null)} />}
        </section>
      )}
      <StageDiagram playbook={view.playbook} stage={view.stage} />
      <Tasks id={view.id} tasks={view.tasks} me={me} />
      <Notes id={view.id} me={me} />
      <ContextPanels context={view.context ?? {}} />
      {holds(me, 'analyst', 'auditor') && <Alerts id={view.id} />}
      {holds(me, 'analyst', 'auditor') && <AsOf id={view.id} />}
      {holds(me, 'auditor') && <Audit id={view.id} />}
      <Timeline id={view.id} />
    </article>
  );
}
