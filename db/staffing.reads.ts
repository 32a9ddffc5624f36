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

type StageRow = { incident: string; priority: Priority; stage: string; minutes: number | null; worked: number | null; approval: number | null; held: boolean; seq: number; open: boolean };

/** Why a stage pass waited without anyone working it: an approval decided by others, a hold, or the rest of a pass whose work was logged. */
export type WaitingCause = 'approval' | 'hold' | 'other';
type Pass = { effort: number; waiting: number; causes: Partial<Record<WaitingCause, number>> };

/**
 * A stage pass's work and waiting. On hold (a stage that pauses the SLA), only logged work is
 * work. Elsewhere the time approvals took is waiting; the work is the work logged when there is
 * any (the rest of the pass waiting too), else the pass's time but its approvals.
 */
function split(row: StageRow): Pass | null {
  if (row.minutes === null) return null;
  const worked = row.worked && row.worked > 0 ? row.worked : 0;
  if (row.held) {
    const effort = Math.min(worked, row.minutes);
    return { effort, waiting: row.minutes - effort, causes: { hold: row.minutes - effort } };
  }
  const approval = Math.min(Math.max(row.approval ?? 0, 0), row.minutes);
  if (worked === 0) return { effort: row.minutes - approval, waiting: approval, causes: approval > 0 ? { approval } : {} };
  const effort = Math.min(worked, row.minutes - approval);
  const other = row.minutes - effort - approval;
  return { effort, waiting: row.minutes - effort, causes: { ...(approval > 0 ? { approval } : {}), ...(other > 0 ? { other } : {}) } };
}

/** Each cause's passes and mean minutes over the passes it held up. */
function causesOf(passes: Pass[]): Partial<Record<WaitingCause, { passes: number; meanMinutes: number }>> {
  const out: Partial<Record<WaitingCause, { passes: number; meanMinutes: number }>> = {};
  for (const cause of ['approval', 'hold', 'other'] as const) {
    const held = passes.flatMap((p) => (p.causes[cause] ? [p.causes[cause]] : []));
    if (held.length > 0) out[cause] = { passes: held.length, meanMinutes: Math.round((held.reduce((a, b) => a + b, 0) / held.length) * 100) / 100 };
  }
  return out;
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

/** Minutes a stage pass waited on approvals: each request asked in it, until its decision (a rejection, or the last grant it needed). */
const APPROVAL_MINUTES = sql`(select sum(extract(epoch from d.at - r.at)::float8) / 60 from incident_events r
    cross join lateral (select min(x.at) as at from incident_events x where x.incident_id = r.incident_id and x.seq > r.seq
      and x.data ->> 'event' = r.data ->> 'event'
      and (x.type = 'approval_rejected' or (x.type = 'approval_granted' and (x.data ->> 'granted')::float8 >= (x.data ->> 'required')::float8))) d
    where r.incident_id = t.incident_id and r.type = 'approval_requested' and r.at >= t.entered_at and (t.left_at is null or r.at < t.left_at) and d.at is not null)`;

/** The stages that pause the SLA (holds) of every playbook version: each document read once, not once a pass. */
const HOLD_STAGES = sql`(select pv.playbook_id, pv.version, s.key as stage from playbook_versions pv
    cross join lateral json_each(pv.document -> 'stages') s where s.value ->> 'pausesSla' = 'true')`;

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
            ${APPROVAL_MINUTES} as approval,
            h.stage is not null as held,
            t.entered_seq as seq, m.open
          from stage_timings t join incident_measures m on m.incident_id = t.incident_id
            left join incidents i on i.id = t.incident_id
            left join ${HOLD_STAGES} h on h.playbook_id = i.playbook_id and h.version = i.playbook_version and h.stage = t.stage
          where ${window} and m.priority is not null order by 1, 8`,
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
        const waits = passes.some((p) => p.waiting > 0) ? { waiting: { kind: 'empirical' as const, minutes: rounded(passes.map((p) => p.waiting)) }, waitingCauses: causesOf(passes) } : {};
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
