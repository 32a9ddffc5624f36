/** What is known around an incident: its lifecycle diagram with the current stage marked, its context with provenance, its alerts. */
import { useQuery } from '@tanstack/react-query';
import { useEffect, useId, useRef } from 'react';
import { api, apiText } from '../api.js';
import { Time } from '../time.js';

interface Finding {
  kind: string;
  key: string;
  provenance: { source: string; fetchedAt: string };
}

const SECTIONS: Array<[string, string]> = [
  ['assets', 'Assets'],
  ['businessUnits', 'Business units'],
  ['changes', 'Changes'],
  ['riskExceptions', 'Risk exceptions'],
  ['intel', 'Threat intel'],
];

/** The playbook version's diagram with the incident's stage marked. */
export function StageDiagram({ playbook, stage }: { playbook: { id: string; version: number }; stage: string }) {
  const node = useRef<HTMLDivElement>(null);
  const key = useId().replace(/:/g, '');
  const text = useQuery({ queryKey: ['diagram', playbook.id, playbook.version], queryFn: () => apiText(`/v1/playbooks/${playbook.id}/versions/${playbook.version}/diagram`), staleTime: Infinity });
  useEffect(() => {
    if (!text.data) return;
    let live = true;
    const id = stage.replace(/[^A-Za-z0-9_]/g, '_');
    const marked = `${text.data}  classDef current font-weight:bold,stroke-width:3px,stroke:#d9480f\n  class ${id} current\n`;
    void import('mermaid').then(async ({ default: mermaid }) => {
      mermaid.initialize({ startOnLoad: false, securityLevel: 'strict', theme: matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'default' });
      const { svg } = await mermaid.render(`stage-${key}`, marked);
      if (live && node.current) node.current.innerHTML = svg;
    });
    return () => {
      live = false;
    };
  }, [text.data, stage, key]);
  return (
    <details>
      <summary>Lifecycle ({stage} marked)</summary>
      <div ref={node} className="diagram" role="img" aria-label={`Lifecycle of ${playbook.id}, now in ${stage}`} />
    </details>
  );
}

export function ContextPanels({ context }: { context: Record<string, Finding[] | undefined> }) {
  const known = SECTIONS.filter(([section]) => (context[section] ?? []).length > 0);
  return (
    <section aria-labelledby="context-title">
      <h2 id="context-title">Context</h2>
      {known.length === 0 && <p className="muted">No context found yet.</p>}
      {known.map(([section, title]) => (
        <div key={section}>
          <h3>{title}</h3>
          <ul>
            {(context[section] ?? []).map((f) => (
              <li key={f.key}>
                {f.key} <span className="muted">from {f.provenance.source}, <Time at={f.provenance.fetchedAt} /></span>
              </li>
            ))}
          </ul>
        </div>
      ))}
    </section>
  );
}

export function Alerts({ id }: { id: string }) {
  const alerts = useQuery({
    queryKey: ['alerts', id],
    queryFn: () => api<{ alerts: Array<{ id: string; title: string; source: string; severity: string; receivedAt: string }> }>(`/v1/incidents/${encodeURIComponent(id)}/alerts`),
    refetchInterval: 10_000,
  });
  if (alerts.error) return null;
  const list = alerts.data?.alerts ?? [];
  return (
    <section aria-labelledby="alerts-title">
      <h2 id="alerts-title">Alerts ({list.length})</h2>
      <ul>
        {list.map((a) => (
          <li key={a.id}>
            {a.title} <span className="muted">({a.source}, {a.severity}, <Time at={a.receivedAt} />)</span>
          </li>
        ))}
      </ul>
    </section>
  );
}
