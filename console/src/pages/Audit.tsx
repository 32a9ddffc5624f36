/** For auditors on an incident: verify its chain, replay it (the verdict per step), download its sealed dossier. */
import { useMutation, useQuery } from '@tanstack/react-query';
import { api, apiText } from '../api.js';

interface Replay {
  deterministic: boolean;
  machineConsistent: boolean;
  mismatches: Array<{ seq: number; problem: string }>;
  steps: Array<{ seq: number; event: string; actor: string; from: string; to: string; gate: string }>;
}

const path = (id: string, rest: string) => `/v1/incidents/${encodeURIComponent(id)}/${rest}`;

export function Audit({ id }: { id: string }) {
  const verify = useQuery({ queryKey: ['verify', id], queryFn: () => api<{ valid: boolean; events: number; reason?: string; signature?: { valid: boolean } }>(path(id, 'history/verify')) });
  const replay = useMutation({ mutationFn: () => api<Replay>(path(id, 'replay'), { method: 'POST' }) });
  const dossier = useMutation({
    mutationFn: async () => {
      const text = await apiText(path(id, 'export'));
      const link = document.createElement('a');
      link.href = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
      link.download = `${id}.dossier.json`;
      link.click();
      URL.revokeObjectURL(link.href);
    },
  });
  const v = verify.data;
  return (
    <section aria-labelledby="audit-title">
      <h2 id="audit-title">Audit</h2>
      <p>
        {v ? (
          <span className={v.valid ? 'badge ok' : 'badge bad'}>{v.valid ? `chain verified (${v.events} events${v.signature?.valid ? ', head signed' : ''})` : `chain broken: ${v.reason ?? ''}`}</span>
        ) : (
          'checking the chain…'
        )}
      </p>
      <button type="button" onClick={() => replay.mutate()} disabled={replay.isPending}>Replay</button>{' '}
      <button type="button" onClick={() => dossier.mutate()} disabled={dossier.isPending}>Download the dossier</button>
      {(verify.error ?? replay.error ?? dossier.error) && <p role="alert" className="error">{String((verify.error ?? replay.error ?? dossier.error)!.message)}</p>}
      {replay.data && (
        <>
          <p>
            {replay.data.deterministic ? 'Deterministic' : 'NOT deterministic'}; the lifecycle machine {replay.data.machineConsistent ? 'agrees with every step' : 'disagrees'}.
          </p>
          <table className="queue">
            <caption>Replay, step by step</caption>
            <thead>
              <tr>
                <th scope="col">Seq</th>
                <th scope="col">Event</th>
                <th scope="col">By</th>
                <th scope="col">From → to</th>
                <th scope="col">Gate</th>
              </tr>
            </thead>
            <tbody>
              {replay.data.steps.map((s) => (
                <tr key={s.seq}>
                  <td>{s.seq}</td>
                  <td>{s.event}</td>
                  <td>{s.actor}</td>
                  <td>
                    {s.from} → {s.to}
                  </td>
                  <td>{s.gate}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {replay.data.mismatches.map((m) => (
            <p key={m.seq} className="error">
              seq {m.seq}: {m.problem}
            </p>
          ))}
        </>
      )}
    </section>
  );
}
