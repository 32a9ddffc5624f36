/**
 * Exposure digests to business units: each unit with a notification channel hears, daily, of the
 * exposures opened and closed on its assets, the risk exceptions on them about to expire and
 * whether it is targeted more than before; and at once of a P1 or P2 exposure.
 */
import type { Database } from '../db/client.js';
import { businessUnitDigest, businessUnitsWithChannels, hasNews, unitOfIncident } from '../db/digests.reads.js';
import type { NotifyActivities } from './notify.activities.js';

export function createDigestActivities({ db, notify }: { db: Database; notify: NotifyActivities }) {
  /** One digest per unit with news over [from, to); returns the units told and those whose delivery failed. */
  async function sendBusinessUnitDigests({ from, to }: { from: string; to: string }): Promise<{ sent: string[]; failed: Array<{ businessUnit: string; reason: string }> }> {
    const sent: string[] = [];
    const failed: Array<{ businessUnit: string; reason: string }> = [];
    for (const unit of await businessUnitsWithChannels(db)) {
      const digest = await businessUnitDigest(db, unit, { from: new Date(from), to: new Date(to) });
      if (!hasNews(digest)) continue;
      try {
        await notify.deliverNotification({ deliveryId: `digest:${unit.id}:${to}`, channel: unit.channel, payload: { type: 'exposure_digest', ...digest, link: '/v1/reports/change-correlation' } });
        sent.push(unit.id);
      } catch (error) {
        // One unit's broken webhook does not keep the others' digests back.
        failed.push({ businessUnit: unit.id, reason: error instanceof Error ? error.message : String(error) });
      }
    }
    return { sent, failed };
  }

  /**
   * The notice of a P1/P2 exposure to its unit. Its unit is known once enrichment found its assets:
   * until then the activity fails and is retried; a lower priority sends nothing (the daily digest lists it).
   */
  async function sendExposureNotice({ incidentId }: { incidentId: string }): Promise<{ sent: boolean; reason?: string }> {
    const unit = await unitOfIncident(db, incidentId);
    if (!unit) throw new Error(`incident ${incidentId} has no business unit with a channel (yet)`);
    if (unit.priority !== 'P1' && unit.priority !== 'P2') return { sent: false, reason: `priority ${unit.priority}` };
    await notify.deliverNotification({
      deliveryId: `exposure:${incidentId}`,
      channel: unit.channel,
      payload: { type: 'exposure_opened', businessUnit: unit.id, name: unit.name, incidentId, title: unit.title, priority: unit.priority, link: `/v1/incidents/${incidentId}` },
    });
    return { sent: true };
  }

  return { sendBusinessUnitDigests, sendExposureNotice };
}

export type DigestActivities = ReturnType<typeof createDigestActivities>;
