/**
 * Alerts that reached an incident after it closed: their correlation key is released by the
 * closed incident and claimed for a new one (or found held by one) in one transaction, and the
 * alerts move there. The workflow then starts or signals that incident. Idempotent: a retry finds
 * the alerts moved and the same holder.
 */
import { inArray } from 'drizzle-orm';
import { alertOfRecord } from '../db/alert-records.js';
import { rerouteAlerts } from '../db/alerts.repo.js';
import type { Database } from '../db/client.js';
import { playbookRouter } from '../db/playbooks.repo.js';
import { alerts } from '../db/schema.js';
import type { PinnedPlaybook } from '../machines/playbook.types.js';

export interface ClaimIncidentInput {
  correlationKey: string;
  fromIncidentId: string;
  alertIds: string[];
}

export interface ClaimedIncident {
  incidentId: string;
  /** The version a new incident pins, routed by the first of the alerts. */
  playbook: PinnedPlaybook;
}

export function createAlertActivities({ db }: { db: Database }) {
  async function claimIncidentForAlerts(input: ClaimIncidentInput): Promise<ClaimedIncident> {
    const incidentId = await rerouteAlerts(db, input);
    const [first] = await db.select().from(alerts).where(inArray(alerts.id, input.alertIds)).orderBy(alerts.receivedAt).limit(1);
    if (!first) throw new Error(`none of the alerts ${input.alertIds.join(', ')} is stored`);
    const playbook = (await playbookRouter(db))(alertOfRecord(first));
    if (!playbook) throw new Error('the default playbook is not registered');
    return { incidentId, playbook };
  }
  return { claimIncidentForAlerts };
}

export type AlertActivities = ReturnType<typeof createAlertActivities>;
