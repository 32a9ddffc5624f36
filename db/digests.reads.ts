/**
 * The exposure digest of a business unit over a period: exposures opened, closed and reopened on
 * its assets, risk exceptions on them about to expire or ended, and whether it is targeted more than before
 * (incidents against the previous period of the same length). An incident's business unit is
 * its measure's (the unit of its first asset).
 */
import { sql } from 'drizzle-orm';
import type { Database } from './client.js';
import { EXPOSURE } from './kpis.reads.js';
import { selectRows } from './sql-rows.js';

/** Targeting is "up" when incidents grew by more than this share against the previous period. */
export const TARGETING_THRESHOLD = 0.5;
/** Exceptions expiring within this many days of the period's end are listed. */
export const EXPIRING_WITHIN_DAYS = 14;

export interface DigestPeriod {
  from: Date;
  to: Date;
}

export interface BusinessUnitDigest {
  businessUnit: string;
  name: string;
  channel: string;
  from: string;
  to: string;
  exposuresOpened: Array<{ incidentId: string; title: string; priority: string; severity: string }>;
  exposuresClosed: Array<{ incidentId: string; title: string; closedBy: string | null }>;
  /** Closed exposures that came back (a risk exception under which they were accepted ended, or by hand). */
  exposuresReopened: Array<{ incidentId: string; title: string; by: string }>;
  exceptionsExpiring: Array<{ id: string; owner: string; expiresAt: string }>;
  /** Risk exceptions on its assets that expired or were revoked in the period. */
  exceptionsEnded: Array<{ id: string; owner: string; status: string; endedAt: string }>;
  targeting: { incidents: number; previous: number; up: boolean };
}

type Row = Record<string, string | number | null>;

const iso = (d: Date) => d.toISOString();

type Unit = { id: string; name: string; channel: string };

export async function businessUnitsWithChannels(db: Database): Promise<Unit[]> {
  return selectRows<Unit>(db, sql`select id, name, channel from context_business_units where channel is not null order by id`);
}

function exposureRows(db: Database, unit: Unit, from: Date, to: Date) {
  return Promise.all([
    selectRows<Row>(
      db,
      sql`select i.id as "incidentId", i.title, i.priority, i.severity from incident_measures m join incidents i on i.id = m.incident_id
          where m.business_unit = ${unit.id} and ${EXPOSURE} and m.created_at >= ${iso(from)} and m.created_at < ${iso(to)} order by i.priority, i.created_at`,
    ),
    selectRows<Row>(
      db,
      sql`select i.id as "incidentId", i.title, m.closed_by as "closedBy" from incident_measures m join incidents i on i.id = m.incident_id
          where m.business_unit = ${unit.id} and ${EXPOSURE} and not m.open and m.closed_at >= ${iso(from)} and m.closed_at < ${iso(to)} order by m.closed_at`,
    ),
    selectRows<Row>(
      db,
      sql`select distinct on (i.id) i.id as "incidentId", i.title, e.actor as by
          from incident_events e join incidents i on i.id = e.incident_id join incident_measures m on m.incident_id = i.id
          join playbook_versions pv on pv.playbook_id = i.playbook_id and pv.version = i.playbook_version
          where m.business_unit = ${unit.id} and ${EXPOSURE} and e.type = 'transitioned' and e.at >= ${iso(from)} and e.at < ${iso(to)}
            and (pv.document::jsonb -> 'stages' -> e.from_stage ->> 'closed') = 'true'
          order by i.id, e.at`,
    ),
  ]);
}

function exceptionRows(db: Database, unit: Unit, from: Date, to: Date) {
  const expiringBy = new Date(to.getTime() + EXPIRING_WITHIN_DAYS * 86_400_000);
  const onItsAssets = sql`exists (select 1 from context_assets a where a.business_unit = ${unit.id} and a.id = any(r.asset_ids))`;
  return Promise.all([
    selectRows<Row>(
      db,
      sql`select r.id, r.owner, r.expires_at as "expiresAt" from context_risk_exceptions r
          where (r.status is null or r.status in ('active', 'expiring')) and r.expires_at >= ${iso(to)} and r.expires_at < ${iso(expiringBy)} and ${onItsAssets}
          order by r.expires_at`,
    ),
    selectRows<Row>(
      db,
      sql`select r.id, r.owner, r.status, r.lifecycle ->> 'endedAt' as "endedAt" from context_risk_exceptions r
          where r.status in ('expired', 'revoked') and (r.lifecycle ->> 'endedAt')::timestamptz >= ${iso(from)} and (r.lifecycle ->> 'endedAt')::timestamptz < ${iso(to)} and ${onItsAssets}
          order by 4`,
    ),
  ]);
}

async function targetingOf(db: Database, unit: Unit, from: Date, to: Date): Promise<BusinessUnitDigest['targeting']> {
  const previousFrom = new Date(from.getTime() - (to.getTime() - from.getTime()));
  const [counts] = await selectRows<{ current: number; previous: number }>(
    db,
    sql`select (count(*) filter (where m.created_at >= ${iso(from)}))::int as current, (count(*) filter (where m.created_at < ${iso(from)}))::int as previous
        from incident_measures m where m.business_unit = ${unit.id} and m.created_at >= ${iso(previousFrom)} and m.created_at < ${iso(to)}`,
  );
  const { current, previous } = counts ?? { current: 0, previous: 0 };
  return { incidents: current, previous, up: previous === 0 ? current > 0 : (current - previous) / previous > TARGETING_THRESHOLD };
}

export async function businessUnitDigest(db: Database, unit: Unit, period: DigestPeriod): Promise<BusinessUnitDigest> {
  const { from, to } = period;
  const [[opened, closed, reopened], [expiring, ended], targeting] = await Promise.all([
    exposureRows(db, unit, from, to),
    exceptionRows(db, unit, from, to),
    targetingOf(db, unit, from, to),
  ]);
  return {
    businessUnit: unit.id,
    name: unit.name,
    channel: unit.channel,
    from: iso(from),
    to: iso(to),
    exposuresOpened: opened as BusinessUnitDigest['exposuresOpened'],
    exposuresClosed: closed as BusinessUnitDigest['exposuresClosed'],
    exposuresReopened: reopened as BusinessUnitDigest['exposuresReopened'],
    exceptionsExpiring: expiring.map((e) => ({ id: String(e.id), owner: String(e.owner), expiresAt: new Date(String(e.expiresAt)).toISOString() })),
    exceptionsEnded: ended as BusinessUnitDigest['exceptionsEnded'],
    targeting,
  };
}

/** Whether a digest says anything: an empty one is not sent. */
export const hasNews = (d: BusinessUnitDigest) =>
  d.exposuresOpened.length + d.exposuresClosed.length + d.exposuresReopened.length + d.exceptionsExpiring.length + d.exceptionsEnded.length > 0 || d.targeting.up;

/** An incident's business unit with its channel, for the notice of a P1/P2 exposure. */
export async function unitOfIncident(db: Database, incidentId: string): Promise<{ id: string; name: string; channel: string; title: string; priority: string } | undefined> {
  const [row] = await selectRows<{ id: string; name: string; channel: string; title: string; priority: string }>(
    db,
    sql`select b.id, b.name, b.channel, i.title, i.priority from incidents i join incident_measures m on m.incident_id = i.id
        join context_business_units b on b.id = m.business_unit where i.id = ${incidentId} and b.channel is not null`,
  );
  return row;
}
