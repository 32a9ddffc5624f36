/**
 * The exposure digests to business units, as one long-lived workflow: every day at the configured
 * hour (UTC) it sends each unit with a channel what happened on its assets since the last digest;
 * an exposure opened by rule is signalled at once and its unit told right away when it is P1 or
 * P2. Continues as new after each daily digest, so its history stays short. Deterministic.
 */
import { condition, continueAsNew, defineSignal, proxyActivities, setHandler } from '@temporalio/workflow';
import type { DigestActivities } from '../activities/digest.activities.js';

export const DIGEST_WORKFLOW_TYPE = 'businessUnitDigestsWorkflow';
export const DIGEST_WORKFLOW_ID = 'irflow-business-unit-digests';

export interface DigestInput {
  /** The hour of the day (UTC) the daily digest goes out (default 6). */
  hourUtc?: number;
  /** The end of the last digest sent: the next one starts there. */
  lastSentAt?: string;
  /** Exposures signalled and not yet noticed, carried across continue-as-new. */
  pending?: string[];
}

export const exposureOpenedSignal = defineSignal<[{ incidentId: string }]>('exposureOpened');
export const digestNowSignal = defineSignal('digestNow');

const { sendBusinessUnitDigests } = proxyActivities<DigestActivities>({ startToCloseTimeout: '5 minutes', retry: { initialInterval: '5 seconds', maximumInterval: '5 minutes', maximumAttempts: 10 } });
/** A unit is known once enrichment found the incident's assets: retried for about five minutes, then given up. */
const { sendExposureNotice } = proxyActivities<DigestActivities>({ startToCloseTimeout: '30 seconds', retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 8 } });

const DAY_MS = 86_400_000;
const now = () => new Date().toISOString();

/** The next instant at `hourUtc`:00 after `at`. */
export function nextDigestAt(at: string, hourUtc: number): string {
  const t = new Date(at);
  const next = Date.UTC(t.getUTCFullYear(), t.getUTCMonth(), t.getUTCDate(), hourUtc);
  return new Date(next > t.getTime() ? next : next + DAY_MS).toISOString();
}

export async function businessUnitDigestsWorkflow(input: DigestInput = {}): Promise<void> {
  const hourUtc = input.hourUtc ?? 6;
  const pending = [...(input.pending ?? [])];
  let asked = false;
  setHandler(exposureOpenedSignal, ({ incidentId }) => void pending.push(incidentId));
  setHandler(digestNowSignal, () => void (asked = true));

  const dueAt = nextDigestAt(now(), hourUtc);
  for (;;) {
    const wait = Math.max(1, Date.parse(dueAt) - Date.parse(now()));
    const woke = await condition(() => pending.length > 0 || asked, wait);
    while (pending.length > 0) {
      const incidentId = pending.shift()!;
      await sendExposureNotice({ incidentId }).catch(() => undefined);
    }
    if (woke && !asked) continue;
    const to = now();
    await sendBusinessUnitDigests({ from: input.lastSentAt ?? new Date(Date.parse(to) - DAY_MS).toISOString(), to });
    await continueAsNew<typeof businessUnitDigestsWorkflow>({ hourUtc, lastSentAt: to, pending });
  }
}
