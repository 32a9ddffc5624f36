/**
 * How the benchmarks post alerts and how their baseline takes them: irflow's intake over HTTP, and
 * the plain way any intake on Temporal would - one multi-row insert, then signalWithStart of a
 * workflow that only holds the alerts (bench/bare/bare-intake.workflow.ts).
 */
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { sql } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import { selectRows } from '../db/sql-rows.js';
import { bareAlertsSignal } from './bare/bare-intake.workflow.js';

export interface AlertAnswer {
  alertId: string;
  incidentId: string;
  deduplicated: boolean;
  queued?: boolean;
}

/** A body as a source sends it; an array of alerts is sent as JSON. */
export type AlertBody = unknown[] | { contentType: string; text: string };

/** POSTs alerts to `/v1/alerts/{source}`; anything but a 202 is an error. */
export async function postAlerts(api: string, token: string, alerts: AlertBody, source = 'generic'): Promise<AlertAnswer[]> {
  const body = Array.isArray(alerts) ? { contentType: 'application/json', text: JSON.stringify(alerts) } : alerts;
  const response = await fetch(`${api}/v1/alerts/${source}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': body.contentType }, body: body.text });
  if (response.status !== 202) throw new Error(`intake answered ${response.status}: ${(await response.text()).slice(0, 300)}`);
  const answer = (await response.json()) as AlertAnswer | AlertAnswer[];
  return Array.isArray(answer) ? answer : [answer];
}

/** Alerts recorded in incidents' ledgers so far: each alert is an `alert_received` step. */
export async function recordedAlerts(db: Database): Promise<number> {
  const [row] = await selectRows<{ n: number }>(db, sql`select count(*)::int as n from incident_events where type = 'alert_received'`);
  return Number(row?.n ?? 0);
}

/** The baseline's store: alerts by source id, one row each. */
export async function createPlainStore(db: Database): Promise<void> {
  await db.execute(sql`create table if not exists bench_bare_alerts (id text primary key, source_id text not null unique, body jsonb not null)`);
}

/** The plain way's insert: the alerts in one statement. */
export async function storePlain(db: Database, alerts: Array<{ sourceId: string }>): Promise<void> {
  const rows = alerts.map((a) => sql`(${randomUUID()}, ${a.sourceId}, ${JSON.stringify(a)}::jsonb)`);
  await db.execute(sql`insert into bench_bare_alerts (id, source_id, body) values ${sql.join(rows, sql`, `)}`);
}

/** The plain way's delivery: the alerts to the workflow `workflowId`, started if it is not running. */
export async function signalPlain(client: Client, taskQueue: string, workflowId: string, alerts: Array<{ sourceId: string }>): Promise<void> {
  await client.workflow.signalWithStart('bareIntake', { workflowId, taskQueue, signal: bareAlertsSignal, signalArgs: [alerts.map((a) => ({ alertId: a.sourceId }))] });
}
