/** Staffing forecast: SLA compliance per number of analysts, simulated on the measured history, drawn with its 90 % interval. */
import { useMutation } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { api } from '../api.js';

interface Level {
  analysts: number;
  compliance: { overall: number; byPriority: Record<string, number | null> };
  interval90: [number, number] | null;
  wait: { mean: number; p90: number };
  utilisation: number;
}
interface Forecast {
  id: string;
  status: 'running' | 'done' | 'failed';
  progress?: number;
  location?: string;
  levels?: Level[];
  smallest?: number;
  measured?: { incidents: number };
  error?: string;
}

const percent = (x: number | null | undefined) => (x === null || x === undefined ? '—' : `${Math.round(x * 1000) / 10} %`);

/** Posts the forecast; a long one (202) is polled until done. */
async function forecast(analysts: number[], runs: number): Promise<Forecast> {
  let answer = await api<Forecast>('/v1/simulations/staffing', { method: 'POST', body: { analysts, runs, horizonDays: 30, target: { P1: 0.95, P2: 0.9 } } });
  while (answer.status === 'running') {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    answer = await api<Forecast>(`/v1/simulations/runs/${answer.id}`);
  }
  if (answer.status === 'failed') throw new Error(`The forecast failed: ${answer.error ?? 'no reason given'}`);
  return answer;
}

function Chart({ levels }: { levels: Level[] }) {
  const node = useRef<HTMLDivElement>(null);
  useEffect(() => {
    let chart: { dispose(): void } | undefined;
    let disposed = false;
    void import('echarts').then((echarts) => {
      if (disposed || !node.current) return;
      const instance = echarts.init(node.current, matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : undefined, { renderer: 'svg' });
      chart = instance;
      const x = levels.map((l) => String(l.analysts));
      const line = (name: string, values: Array<number | null | undefined>) => ({ name, type: 'line', data: values.map((v) => (v === null || v === undefined ? null : +(v * 100).toFixed(1))) });
      instance.setOption({
        aria: { enabled: true },
        tooltip: { trigger: 'axis' },
        legend: {},
        xAxis: { type: 'category', name: 'analysts', data: x },
        yAxis: { type: 'value', name: '% within SLA', min: 0, max: 100 },
        series: [
          line('overall', levels.map((l) => l.compliance.overall)),
          line('90 % interval, low', levels.map((l) => l.interval90?.[0])),
          line('90 % interval, high', levels.map((l) => l.interval90?.[1])),
          ...['P1', 'P2'].map((p) => line(p, levels.map((l) => l.compliance.byPriority[p]))),
        ],
      });
    });
    return () => {
      disposed = true;
      chart?.dispose();
    };
  }, [levels]);
  return (
    <figure>
      <figcaption>Staffing forecast: SLA compliance by analysts on shift</figcaption>
      <div ref={node} className="chart" role="img" aria-label="Predicted SLA compliance by number of analysts, overall with its 90 % interval, and for P1 and P2" />
    </figure>
  );
}

export function Staffing() {
  const [analysts, setAnalysts] = useState('3, 4, 5, 6');
  const run = useMutation({ mutationFn: () => forecast(analysts.split(/[\s,]+/).filter(Boolean).map(Number), 100) });
  const levels = run.data?.levels ?? [];
  return (
    <section aria-labelledby="staffing-title">
      <h2 id="staffing-title">Staffing</h2>
      <form
        className="filters"
        onSubmit={(e) => {
          e.preventDefault();
          run.mutate();
        }}
      >
        <label>
          Analysts on shift (levels to compare) <input value={analysts} onChange={(e) => setAnalysts(e.target.value)} />
        </label>
        <button type="submit" disabled={run.isPending}>
          {run.isPending ? 'Simulating…' : 'Forecast the next 30 days'}
        </button>
      </form>
      {run.error && <p role="alert" className="error">{String(run.error.message)}</p>}
      {levels.length > 0 && (
        <>
          <p>
            Simulated on {run.data?.measured?.incidents ?? 0} incidents of the last 90 days.{' '}
            {run.data?.smallest ? `${run.data.smallest} ${run.data.smallest === 1 ? 'analyst is' : 'analysts are'} the fewest that meet P1 95 % and P2 90 %.` : 'No level compared meets P1 95 % and P2 90 %.'}
          </p>
          <Chart levels={levels} />
          <table className="queue">
            <caption>Forecast per staffing level</caption>
            <thead>
              <tr>
                <th scope="col">Analysts</th>
                <th scope="col">Within SLA</th>
                <th scope="col">90 % interval</th>
                <th scope="col">P1</th>
                <th scope="col">P2</th>
                <th scope="col">Wait (mean, p90)</th>
                <th scope="col">Utilisation</th>
              </tr>
            </thead>
            <tbody>
              {levels.map((l) => (
                <tr key={l.analysts}>
                  <td>{l.analysts}</td>
                  <td>{percent(l.compliance.overall)}</td>
                  <td>{l.interval90 ? `${percent(l.interval90[0])} – ${percent(l.interval90[1])}` : '—'}</td>
                  <td>{percent(l.compliance.byPriority.P1)}</td>
                  <td>{percent(l.compliance.byPriority.P2)}</td>
                  <td>
                    {l.wait.mean} min, {l.wait.p90} min
                  </td>
                  <td>{percent(l.utilisation)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}
