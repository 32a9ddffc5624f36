/** The service catalogue's reports (GET /v1/reports): one chosen, its sections as tables, its rows as CSV. */
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../api.js';
import { downloadCsv } from '../download.js';

type Row = Record<string, unknown>;
interface ReportListing {
  reports: Array<{ name: string; title: string; description: string }>;
}
type Report = { report: string; title: string; description: string; from: string; to: string } & Record<string, unknown>;

const cell = (value: unknown) => (value === null || value === undefined ? '—' : typeof value === 'object' ? JSON.stringify(value) : String(value));

function Section({ name, rows }: { name: string; rows: Row[] }) {
  const columns = [...new Set(rows.flatMap((row) => Object.keys(row)))];
  return (
    <table className="queue report">
      <caption>
        {name} ({rows.length} {rows.length === 1 ? 'row' : 'rows'})
      </caption>
      {rows.length === 0 ? (
        <tbody>
          <tr>
            <td>No incidents in the window.</td>
          </tr>
        </tbody>
      ) : (
        <>
          <thead>
            <tr>
              {columns.map((c) => (
                <th scope="col" key={c}>{c}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((row, i) => (
              <tr key={i}>
                {columns.map((c) => (
                  <td key={c}>{cell(row[c])}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </>
      )}
    </table>
  );
}

/** `window`: the query string of the window (from, to) the measures page shows. */
export function Reports({ window }: { window: string }) {
  const listing = useQuery({ queryKey: ['reports'], queryFn: () => api<ReportListing>('/v1/reports'), staleTime: Infinity });
  const [chosen, setChosen] = useState('');
  const name = chosen || listing.data?.reports[0]?.name || '';
  const report = useQuery({ queryKey: ['report', name, window], queryFn: () => api<Report>(`/v1/reports/${encodeURIComponent(name)}?${window}`), enabled: name !== '' });
  const [failed, setFailed] = useState<string | null>(null);
  const error = listing.error ?? report.error;
  const sections = report.data ? Object.entries(report.data).filter((entry): entry is [string, Row[]] => Array.isArray(entry[1])) : [];
  return (
    <section aria-labelledby="reports-title">
      <h2 id="reports-title">Reports</h2>
      {error && <p role="alert" className="error">{String(error.message)}</p>}
      {listing.data && (
        <div className="filters">
          <label>
            Report{' '}
            <select value={name} onChange={(e) => setChosen(e.target.value)}>
              {listing.data.reports.map((r) => (
                <option key={r.name} value={r.name}>{r.title}</option>
              ))}
            </select>
          </label>
          <button type="button" disabled={!name} onClick={() => downloadCsv(`/v1/reports/${encodeURIComponent(name)}?${window}`, `${name}.csv`).catch((e: Error) => setFailed(e.message))}>
            Download this report as CSV
          </button>
        </div>
      )}
      {failed && <p role="alert" className="error">{failed}</p>}
      {report.data && (
        <div data-testid="report">
          <p className="muted">{report.data.description}</p>
          {sections.map(([section, rows]) => (
            <Section key={section} name={section === 'rows' ? report.data.title : section} rows={rows} />
          ))}
        </div>
      )}
    </section>
  );
}
