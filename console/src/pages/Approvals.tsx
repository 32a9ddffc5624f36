/** Every transition waiting for the signed-in approver's roles, oldest first. */
import { useQuery } from '@tanstack/react-query';
import { api, type Incident, type Me } from '../api.js';
import { hrefOf } from '../router.js';
import { Time } from '../time.js';

export function Approvals({ me }: { me: Me }) {
  const open = useQuery({ queryKey: ['approvals'], queryFn: () => api<{ incidents: Incident[] }>('/v1/incidents?open=true&limit=200'), refetchInterval: 5000 });
  const mine = (open.data?.incidents ?? [])
    .flatMap((incident) => incident.pendingApprovals.map((pending) => ({ incident, pending })))
    .filter(({ pending }) => me.roles.includes('admin') || pending.roles.some((r) => me.roles.includes(r)))
    .sort((a, b) => a.pending.requestedAt.localeCompare(b.pending.requestedAt));
  return (
    <section aria-labelledby="approvals-title">
      <h1 id="approvals-title">Approvals</h1>
      {open.error && <p role="alert" className="error">{String(open.error.message)}</p>}
      {mine.length === 0 ? (
        <p className="muted">Nothing waits for your roles ({me.roles.join(', ')}).</p>
      ) : (
        <ul className="approvals">
          {mine.map(({ incident, pending }) => (
            <li key={`${incident.id}:${pending.event}`}>
              <a href={hrefOf({ page: 'incident', id: incident.id })}>
                {pending.event} on {incident.title}
              </a>{' '}
              <span className="muted">
                asked by {pending.requestedBy}, <Time at={pending.requestedAt} />; {pending.granted.length} of {pending.required} approvals
              </span>
              {pending.requestedBy === me.name && <span className="muted"> — your own request: another person must approve it</span>}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
