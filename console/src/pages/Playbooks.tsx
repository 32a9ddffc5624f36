/**
 * Playbooks: each one's versions, the rendered lifecycle diagram of a version (Mermaid, from the
 * API's diagram), its YAML; an editor that validates a draft as it is typed against
 * POST /v1/playbooks/validate, showing every error at its path, and registers it (engineers).
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useId, useRef, useState } from 'react';
import { stringify } from 'yaml';
import { api, ApiError, apiText, holds, type Me, type PlaybookDocument } from '../api.js';

interface Listed {
  id: string;
  version: number;
  name: string;
}

function Diagram({ id, version }: { id: string; version: number }) {
  const node = useRef<HTMLDivElement>(null);
  const key = useId().replace(/:/g, '');
  const text = useQuery({ queryKey: ['diagram', id, version], queryFn: () => apiText(`/v1/playbooks/${id}/versions/${version}/diagram`), staleTime: Infinity });
  useEffect(() => {
    if (!text.data) return;
    let live = true;
    void import('mermaid').then(async ({ default: mermaid }) => {
      mermaid.initialize({ startOnLoad: false, securityLevel: 'strict', theme: matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'default' });
      const { svg } = await mermaid.render(`diagram-${key}`, text.data);
      if (live && node.current) node.current.innerHTML = svg;
    });
    return () => {
      live = false;
    };
  }, [text.data, key]);
  return <div ref={node} className="diagram" role="img" aria-label={`Lifecycle of ${id} version ${version}`} />;
}

type Validation = { valid: true; id: string } | { valid: false; errors: Array<{ path: string; message: string }> };

function Editor({ me, initial }: { me: Me; initial: string }) {
  const [draft, setDraft] = useState(initial);
  const [verdict, setVerdict] = useState<Validation | null>(null);
  const queries = useQueryClient();
  useEffect(() => setDraft(initial), [initial]);
  useEffect(() => {
    const timer = setTimeout(() => {
      api<Validation>('/v1/playbooks/validate', { method: 'POST', body: draft, contentType: 'application/yaml' })
        .then(setVerdict)
        .catch((error: unknown) => setVerdict(error instanceof ApiError && Array.isArray(error.problem.errors) ? { valid: false, errors: error.problem.errors as Array<{ path: string; message: string }> } : { valid: false, errors: [{ path: '', message: String(error) }] }));
    }, 400);
    return () => clearTimeout(timer);
  }, [draft]);
  const register = useMutation({
    mutationFn: () => api<{ id: string; version: number }>('/v1/playbooks', { method: 'POST', body: draft, contentType: 'application/yaml' }),
    onSuccess: () => queries.invalidateQueries({ queryKey: ['playbooks'] }),
  });
  return (
    <section aria-labelledby="editor-title">
      <h2 id="editor-title">Editor</h2>
      <label htmlFor="playbook-draft">Playbook (YAML or JSON), validated as you type</label>
      <textarea id="playbook-draft" className="code" rows={18} value={draft} onChange={(e) => setDraft(e.target.value)} spellCheck={false} />
      <div aria-live="polite">
        {verdict?.valid === true && <p>Valid: {verdict.id}</p>}
        {verdict?.valid === false && (
          <ul className="errors" aria-label="Validation errors">
            {verdict.errors.map((e, i) => (
              <li key={i} className="error">
                <code>{e.path || '(document)'}</code> {e.message}
              </li>
            ))}
          </ul>
        )}
      </div>
      {holds(me, 'engineer') && (
        <button type="button" disabled={verdict?.valid !== true || register.isPending} onClick={() => register.mutate()}>
          Register
        </button>
      )}
      {register.data && <p>Registered {register.data.id} version {register.data.version}</p>}
      {register.error && <p role="alert" className="error">{String(register.error.message)}</p>}
    </section>
  );
}

export function Playbooks({ me }: { me: Me }) {
  const list = useQuery({ queryKey: ['playbooks'], queryFn: () => api<{ playbooks: Listed[] }>('/v1/playbooks') });
  const [chosen, setChosen] = useState<{ id: string; version: number } | null>(null);
  const versions = useQuery({ queryKey: ['versions', chosen?.id], queryFn: () => api<{ versions: Listed[] }>(`/v1/playbooks/${chosen!.id}/versions`), enabled: Boolean(chosen) });
  const version = useQuery({
    queryKey: ['playbook', chosen?.id, chosen?.version],
    queryFn: () => api<{ document: PlaybookDocument }>(`/v1/playbooks/${chosen!.id}/versions/${chosen!.version}`),
    enabled: Boolean(chosen),
  });
  const yaml = version.data ? stringify(version.data.document) : '';
  return (
    <section aria-labelledby="playbooks-title">
      <h1 id="playbooks-title">Playbooks</h1>
      {list.error && <p role="alert" className="error">{String(list.error.message)}</p>}
      <ul className="playbooks">
        {(list.data?.playbooks ?? []).map((p) => (
          <li key={p.id}>
            <button type="button" onClick={() => setChosen({ id: p.id, version: p.version })} aria-pressed={chosen?.id === p.id}>
              {p.name}
            </button>{' '}
            <span className="muted">
              {p.id}, version {p.version}
            </span>
          </li>
        ))}
      </ul>
      {chosen && (
        <>
          <h2>
            {chosen.id}, version {chosen.version}
          </h2>
          <label>
            Version{' '}
            <select value={chosen.version} onChange={(e) => setChosen({ id: chosen.id, version: Number(e.target.value) })}>
              {(versions.data?.versions ?? [{ version: chosen.version }]).map((v) => (
                <option key={v.version}>{v.version}</option>
              ))}
            </select>
          </label>
          <Diagram id={chosen.id} version={chosen.version} />
          <details>
            <summary>YAML</summary>
            <pre className="code">{yaml}</pre>
          </details>
        </>
      )}
      <Editor me={me} initial={yaml || 'id: my-playbook\nname: My playbook\ninitial: new\nstages:\n  new:\n    on: { close: { to: closed } }\n  closed: { closed: true }\n'} />
    </section>
  );
}
