/** An incident's SLA clocks: time left, the target and its basis, and each clock's escalation ladder. */
import type { SlaClock } from '../api.js';
import { Countdown, duration, Time } from '../time.js';

function Ladder({ clock }: { clock: SlaClock }) {
  const steps = clock.ladder ?? [];
  if (steps.length === 0) return <p className="muted">No escalation ladder.</p>;
  return (
    <table className="queue ladder">
      <caption>Escalation ladder of {clock.clock}</caption>
      <thead>
        <tr>
          <th scope="col">Level</th>
          <th scope="col">At</th>
          <th scope="col">Notifies</th>
          <th scope="col">Raises priority</th>
          <th scope="col">Fired</th>
          <th scope="col">Next</th>
        </tr>
      </thead>
      <tbody>
        {steps.map((step) => (
          <tr key={step.level} className={step.fired > 0 ? 'reached' : ''}>
            <td>{step.level}</td>
            <td>
              {step.at} of the target{step.repeatEvery ? `, then every ${step.repeatEvery}` : ''}
            </td>
            <td>{step.notify.join(', ')}</td>
            <td>{step.raisePriority ? 'yes' : 'no'}</td>
            <td>{step.fired === 0 ? 'not yet' : step.fired === 1 ? 'once' : `${step.fired} times`}</td>
            <td>{step.nextAt ? <Time at={step.nextAt} /> : clock.paused ? 'paused' : '—'}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function SlaClocks({ clocks, now }: { clocks: SlaClock[]; now: number }) {
  if (clocks.length === 0) return null;
  return (
    <section aria-labelledby="sla-title">
      <h2 id="sla-title">SLA clocks</h2>
      {clocks.map((c) => (
        <div key={c.clock} className="clock" data-testid={`clock-${c.clock}`}>
          <p>
            <strong>{c.clock}</strong>: <Countdown deadline={c.paused ? null : c.deadline} now={now} /> {c.paused ? '(paused)' : ''} {c.breached ? '(breached)' : ''}{' '}
            <span className="muted">
              target {duration(c.targetSeconds * 1000)} ({c.basis}){c.calendar ? `, business hours ${c.calendar}` : ''}; escalation level {c.escalationLevel}
            </span>
          </p>
          <Ladder clock={c} />
        </div>
      ))}
    </section>
  );
}
