/** KPIs as charts (by month and by business unit), the rates, and the maturity level with each criterion against its threshold. */
import { useQuery } from '@tanstack/react-query';
import { lazy, Suspense, useEffect, useRef } from 'react';
import { api } from '../api.js';
import { downloadCsv } from '../download.js';
import { Reports } from './Reports.js';
// The staffing forecast loads with its section, not with the console.
const Staffing = lazy(() => import('./Staffing.js').then((m) => ({ default: m.Staffing })));

type Stat = { median: number; p90: number; n: number } | undefined;
interface KpiGroup {
  key: string | null;
  count: number;
  durations: Record<string, Stat>;
  rates: Record<string, number | null>;
}
interface Maturity {
  level: number;
  name: string;
  levels: Array<{ level: number; name: string; demonstrated: boolean; criteria: Array<{ id: string; title: string; figure: number | null; threshold: number; passes: boolean; unit: string }> }>;
}

const HOUR = 3600;
/** Incidents with no business unit (or month) come as a null key. */
const groupName = (g: KpiGroup) => g.key ?? '(none)';
const SERIES = ['mtta', 'mttc', 'mttr'] as const;

function Chart({ title, groups }: { title: string; groups: KpiGroup[] }) {
  const node = useRef<HTMLDivElement>(null);
  useEffect(() => {
    let disposed = false;
    let chart: { dispose(): void } | undefined;
    void import('echarts').then((echarts) => {
      if (disposed || !node.current) return;
      const dark = matchMedia('(prefers-color-scheme: dark)').matches;
      const instance = echarts.init(node.current, dark ? 'dark' : undefined, { renderer: 'svg' });
      chart = instance;
      const hours = (stat: Stat, which: 'median' | 'p90') => (stat ? +(stat[which] / HOUR).toFixed(2) : null);
      instance.setOption({
        aria: { enabled: true },
        tooltip: { trigger: 'axis' },
        legend: {},
        xAxis: { type: 'category', data: groups.map(groupName) },
        yAxis: { type: 'value', name: 'hours' },
        series: SERIES.flatMap((k) => [
          { name: `${k.toUpperCase()} p50`, type: 'bar', data: groups.map((g) => hours(g.durations[k], 'median')) },
          { name: `${k.toUpperCase()} p90`, type: 'line', data: groups.map((g) => hours(g.durations[k], 'p90')) },
        ]),
      });
    });
    return () => {
      disposed = true;
      chart?.dispose();
    };
  }, [groups]);
  return (
    <figure>
      <figcaption>{title}</figcaption>
      <div ref={node} className="chart" role="img" aria-label={`${title}: MTTA, MTTC and MTTR, median and p90, in hours`} />
    </figure>
  );
}

export function Measures() {
  const from = new Date(Date.UTC(new Date().getUTCFullYear() - 1, new Date().getUTCMonth(), 1)).toISOString();
  const to = new Date().toISOString();
  const window = `from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`;
  const byMonth = useQuery({ queryKey: ['kpis', 'month'], queryFn: () => api<{ groups: KpiGroup[] }>(`/v1/kpis?${window}&groupBy=month`) });
  const byUnit = useQuery({ queryKey: ['kpis', 'businessUnit'], queryFn: () => api<{ groups: KpiGroup[] }>(`/v1/kpis?${window}&groupBy=businessUnit`) });
  const maturity = useQuery({ queryKey: ['maturity'], queryFn: () => api<Maturity>(`/v1/maturity?${window}`) });
  const error = byMonth.error ?? byUnit.error ?? maturity.error;
  const rates = ['slaCompliance', 'falsePositiveRate', 'enrichmentAutomationRate', 'reopenRate', 'gateRejectionRate'];
  return (
    <section aria-labelledby="measures-title">
      <h1 id="measures-title">Measures</h1>
      {error && <p role="alert" className="error">{String(error.message)}</p>}
      {byMonth.data && <Chart title="By month (last 12)" groups={byMonth.data.groups} />}
      {byUnit.data && <Chart title="By business unit" groups={byUnit.data.groups} />}
      {byUnit.data && (
        <table className="queue">
          <caption>Rates by business unit</caption>
          <thead>
            <tr>
              <th scope="col">Business unit</th>
              <th scope="col">Incidents</th>
              {rates.map((r) => (
                <th scope="col" key={r}>{r}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {byUnit.data.groups.map((g) => (
              <tr key={g.key}>
                <td>{groupName(g)}</td>
                <td>{g.count}</td>
                {rates.map((r) => (
                  <td key={r}>{g.rates[r] === null || g.rates[r] === undefined ? '—' : `${Math.round((g.rates[r] as number) * 1000) / 10} %`}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <button type="button" onClick={() => void downloadCsv(`/v1/kpis?${window}&groupBy=businessUnit`, 'kpis.csv')}>Download the KPIs as CSV</button>
      <Reports window={window} />
      <Suspense fallback={<p className="loading">Loading the staffing forecast…</p>}>
        <Staffing />
      </Suspense>
      {maturity.data && (
        <section aria-labelledby="maturity-title">
          <h2 id="maturity-title">
            Maturity: level {maturity.data.level} ({maturity.data.name})
          </h2>
          <table className="queue">
            <thead>
              <tr>
                <th scope="col">Level</th>
                <th scope="col">Criterion</th>
                <th scope="col">Figure</th>
                <th scope="col">Threshold</th>
                <th scope="col">Passes</th>
              </tr>
            </thead>
            <tbody>
              {maturity.data.levels.flatMap((l) =>
                l.criteria.map((c) => (
                  <tr key={c.id}>
                    <td>{l.level}</td>
                    <td>{c.title}</td>
                    <td>{c.figure ?? '—'}</td>
                    <td>{c.threshold}</td>
                    <td>{c.passes ? 'yes' : 'no'}</td>
                  </tr>
                )),
              )}
            </tbody>
          </table>
        </section>
      )}
    </section>
  );
}
