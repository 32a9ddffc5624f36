/** Times in the browser's time zone with UTC on hover; SLA countdowns that tick. */
import { useEffect, useState } from 'react';

const local = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

export function Time({ at }: { at: string }) {
  const date = new Date(at);
  return (
    <time dateTime={at} title={`${date.toISOString().replace('T', ' ').slice(0, 19)} UTC`}>
      {local.format(date)}
    </time>
  );
}

/** Re-renders every second (countdowns). */
export function useNow(everyMs = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return now;
}

export function duration(ms: number): string {
  const sign = ms < 0 ? '-' : '';
  let s = Math.floor(Math.abs(ms) / 1000);
  const d = Math.floor(s / 86400);
  s -= d * 86400;
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  return sign + (d > 0 ? `${d}d ${h}h` : h > 0 ? `${h}h ${m}m` : `${m}m ${s}s`);
}

/** The nearest running SLA deadline of an incident, counting down. */
export function Countdown({ deadline, now }: { deadline: string | null; now: number }) {
  if (!deadline) return <span className="muted">—</span>;
  const left = Date.parse(deadline) - now;
  return (
    <span className={left < 0 ? 'breached' : left < 15 * 60_000 ? 'due-soon' : ''} title={`due ${new Date(deadline).toISOString()}`}>
      {left < 0 ? `breached ${duration(-left)} ago` : duration(left)}
    </span>
  );
}

export function nextDeadline(sla: Array<{ deadline: string | null; paused: boolean }>): string | null {
  return (
    sla
      .filter((c) => c.deadline && !c.paused)
      .map((c) => c.deadline!)
      .sort()[0] ?? null
  );
}
