/**
 * The staffing model fitted to the service's own history (machines/staffing.model.ts): arrivals
 * per hour of week and priority over the window; per priority the stages incidents went through,
 * each pass's hands-on effort (the work logged in it, else its whole time) and the rest of its
 * time as waiting no analyst shortens, where incidents went next, and the SLA target armed for it. With what was measured, counted, so nobody trusts
 * a model built on twelve incidents without seeing it.
 */
import { sql } from 'drizzle-orm';
import { PRIORITIES, type Priority } from '../machines/playbook.types.js';
import { HOURS_OF_WEEK, type PriorityModel, type StaffingModel } from '../machines/staffing.model.js';
import type { Database } from './client.js';
import { selectRows } from './sql-rows.js';

export interface MeasuredModel {
  window: { from: string; to: string; days: number };
  model: StaffingModel;
  measured: {
    incidents: number;
    byPriority: Record<string, number>;
    stagePasses: Record<string, Record<string, number>>;
  };
}

type StageRow = { incident: string; priority: Priority; stage: string; minutes: number | null; worked: number | null; seq: number; open: boolean };

/** A stage pass's work: the work logged in it when there is any (the rest of its time is waiting no analyst shortens), else its whole time. */
function split(row: StageRow): { effort: number; waiting: number } | null {
  if (row.minutes === null) return null;
  if (!row.worked || row.worked <= 0) return { effort: row.minutes, waiting: 0 };
  const effort = Math.min(row.worked, row.minutes);
  return { effort, waiting: row.minutes - effort };
}

function transitions(rows: StageRow[]): { initial: Map<Priority, Map<string, number>>; next: Map<string, Map<string, number>> } {
  const initial = new Map<Priority, Map<string, number>>();
  const next = new Map<string, Map<string, number>>();
  const bump = <K>(map: Map<K, Map<string, number>>, key: K, to: string) => {
    const counts = map.get(key) ?? new Map<string, number>();
    counts.set(to, (counts.get(to) ?? 0) + 1);
    map.set(key, counts);
  };
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!;
    const following = rows[i + 1]?.incident === row.incident ? rows[i + 1] : undefined;
    if (rows[i - 1]?.incident !== row.incident) bump(initial, row.priority, row.stage);
    if (following) bump(next, `${row.priority}|${row.stage}`, following.stage);
    else if (!row.open && row.minutes !== null) bump(next, `${row.priority}|${row.stage}`, 'closed');
  }
  return { initial, next };
}

const shares = (counts: Map<string, number> | undefined) => {
  if (!counts) return undefined;
  const total = [...counts.values()].reduce((a, b) => a + b, 0);
  return Object.fromEntries([...counts.entries()].sort().map(([to, n]) => [to, Math.round((n / total) * 1e4) / 1e4]));
};
const mostCommon = (counts: Map<string, number> | undefined) => [...(counts ?? new Map<string, number>()).entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]?.[0];

export async function measureStaffingModel(db: Database, windowDays: number, now = new Date()): Promise<MeasuredModel> {
  return measureStaffingModelBetween(db, new Date(now.getTime() - windowDays * 86_400_000), now);
}

/** The model fitted to incidents created in [from, to). */
export async function measureStaffingModelBetween(db: Database, from: Date, now: Date): Promise<MeasuredModel> {
  const windowDays = (now.getTime() - from.getTime()) / 86_400_000;
  const window = sql`m.created_at >= ${from.toISOString()} and m.created_at < ${now.toISOString()}`;
  const [arrivals, stages, targets] = await Promise.all([
    selectRows<{ priority: Priority; hour: number; n: number }>(
      db,
      sql`select m.priority, ((extract(isodow from m.created_at at time zone 'UTC')::int - 1) * 24 + extract(hour from m.created_at at time zone 'UTC')::int) as hour, count(*)::int as n
          from incident_measures m where ${window} and m.priority is not null group by 1, 2`,
    ),
    selectRows<StageRow>(
      db,
      sql`select t.incident_id as incident, m.priority, t.stage, extract(epoch from t.left_at - t.entered_at)::float8 / 60 as minutes,
            (select sum((w.data ->> 'minutes')::float8) from incident_events w where w.incident_id = t.incident_id and w.type = 'work_logged'
              and w.at >= t.entered_at and (t.left_at is null or w.at < t.left_at)) as worked,
            t.entered_seq as seq, m.open
          from stage_timings t join incident_measures m on m.incident_id = t.incident_id where ${window} and m.priority is not null order by 1, 6`,
    ),
    selectRows<{ priority: Priority; stage: string; seconds: number }>(
      db,
      sql`select m.priority, e.data ->> 'stage' as stage, percentile_disc(0.5) within group (order by (e.data ->> 'targetSeconds')::float8) as seconds
          from incident_events e join incident_measures m on m.incident_id = e.incident_id
          where ${window} and e.type = 'sla_armed' and e.data ->> 'stage' is not null group by 1, 2`,
    ),
  ]);
  const weeks = windowDays / 7;
  const flow = transitions(stages);
  const priorities: StaffingModel['priorities'] = {};
  const measured: MeasuredModel['measured'] = { incidents: 0, byPriority: {}, stagePasses: {} };
  for (const priority of PRIORITIES) {
    const counts = arrivals.filter((a) => a.priority === priority);
    const total = counts.reduce((a, c) => a + c.n, 0);
    if (total === 0) continue;
    measured.incidents += total;
    measured.byPriority[priority] = total;
    const perHour = Array.from({ length: HOURS_OF_WEEK }, (_, h) => (counts.find((c) => c.hour === h)?.n ?? 0) / weeks);
    const names = [...new Set(stages.filter((s) => s.priority === priority).map((s) => s.stage))].sort();
    const model: PriorityModel = {
      arrivalsPerHour: perHour,
      initial: mostCommon(flow.initial.get(priority)) ?? names[0] ?? 'new',
      stages: names.map((stage) => {
        const passes = stages.filter((s) => s.priority === priority && s.stage === stage).flatMap((s) => split(s) ?? []);
        const rounded = (values: number[]) => values.map((v) => Math.round(v * 100) / 100);
        const target = targets.find((t) => t.priority === priority && t.stage === stage)?.seconds;
        const next = shares(flow.next.get(`${priority}|${stage}`));
        const waits = passes.some((p) => p.waiting > 0) ? { waiting: { kind: 'empirical' as const, minutes: rounded(passes.map((p) => p.waiting)) } } : {};
        return { stage, effort: { kind: 'empirical' as const, minutes: rounded(passes.map((p) => p.effort)) }, ...waits, ...(target !== undefined ? { slaSeconds: Number(target) } : {}), ...(next ? { next } : {}) };
      }),
    };
    priorities[priority] = model;
    measured.stagePasses[priority] = Object.fromEntries(model.stages.map((s) => [s.stage, (s.effort as { minutes: number[] }).minutes.length]));
  }
  return { window: { from: from.toISOString(), to: now.toISOString(), days: windowDays }, model: { priorities }, measured };
}

/**
 * The staffing that was on shift in [from, to): the distinct people who worked incidents (moved,
 * noted, logged work) in an hour, averaged over the hours anyone did, rounded up; at least one.
 */
export async function staffOnShift(db: Database, from: Date, to: Date): Promise<number> {
  const [row] = await selectRows<{ people: number | null }>(
    db,
    sql`select avg(n)::float8 as people from (
          select date_trunc('hour', e.at) as hour, count(distinct e.actor) as n from incident_events e
          where e.at >= ${from.toISOString()} and e.at < ${to.toISOString()} and e.type in ('transitioned', 'work_logged', 'note_added', 'approval_granted')
            and e.actor <> 'system' and position(':' in e.actor) = 0
          group by 1) h`,
  );
  return Math.max(1, Math.ceil(row?.people ?? 1));
}
