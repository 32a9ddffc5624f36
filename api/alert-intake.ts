/**
 * Alert intake: a batch is de-duplicated by (source, sourceId) and routed by correlation key to
 * the open incident holding it (or a new one) in one transaction, then handed to the incidents'
 * workflows with signalWithStart, many incidents at a time, the alerts of one incident in one
 * signal. An alert is answered 202 only once its workflow holds it; one stored but not delivered
 * (a crash, Temporal down) is delivered by the next attempt of the same alert. Exactly one
 * answer per alert says `deduplicated: false`: the one whose delivery marked it delivered.
 */
import { randomUUID } from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import pLimit from 'p-limit';
import { markDelivered, rerouteAlerts, storeAlerts, type AlertRecord } from '../db/alerts.repo.js';
import type { Database } from '../db/client.js';
import { countSuppressedDuplicates } from '../db/measures.repo.js';
import { alertOfRecord, receivedOfRecord } from '../db/alert-records.js';
import { correlationKey, type AlertReceived, type AlertSource, type NormalisedAlert } from '../machines/alert.js';
import type { PinnedPlaybook } from '../machines/playbook.types.js';
import { INCIDENT_WORKFLOW_TYPE, alertReceivedSignal, alertsReceivedSignal, incidentWorkflowId, type IncidentWorkflow } from '../workflows/incident.messages.js';

/** Incidents signalled at once by one request. */
const DELIVERY_CONCURRENCY = 16;
/** An ended incident's alerts move to a new one; more moves than this in one request is a fault. */
const MAX_REROUTES = 3;

export interface AlertIntakeDeps {
  db: Database;
  temporal: Client;
  taskQueue: string;
  /** Routes the alerts of a batch to playbook versions (one read of the playbooks). */
  router(): Promise<(alert: NormalisedAlert) => PinnedPlaybook>;
}

export interface AlertAccepted {
  alertId: string;
  incidentId: string;
  deduplicated: boolean;
}

export class AlertNotDeliverableError extends Error {
  override name = 'AlertNotDeliverableError';
}

function byIncident(records: AlertRecord[]): AlertRecord[][] {
  const groups = new Map<string, AlertRecord[]>();
  for (const record of records) groups.set(record.incidentId, [...(groups.get(record.incidentId) ?? []), record]);
  return [...groups.values()];
}

export function createAlertIntake(deps: AlertIntakeDeps) {
  const { db, temporal, taskQueue } = deps;

  /** signalWithStart; false when the incident's workflow has ended and can take no alert. */
  async function signal(records: AlertRecord[], playbook: PinnedPlaybook): Promise<boolean> {
    const first = records[0]!;
    const received: AlertReceived[] = records.map(receivedOfRecord);
    const delivery = records.length === 1 ? { signal: alertReceivedSignal, signalArgs: [received[0]!] } : { signal: alertsReceivedSignal, signalArgs: [received] };
    try {
      await temporal.workflow.signalWithStart<IncidentWorkflow, [AlertReceived] | [AlertReceived[]]>(INCIDENT_WORKFLOW_TYPE, {
        workflowId: incidentWorkflowId(first.incidentId),
        taskQueue,
        // An ended incident is never started again under the same id.
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
        args: [
          {
            incidentId: first.incidentId,
            playbook,
            opening: {
              title: first.title,
              severity: received[0]!.severity,
              ...(first.category ? { category: first.category } : {}),
              correlationKey: first.correlationKey,
              ...(first.detectedAt ? { detectedAt: first.detectedAt.toISOString() } : {}),
              openedBy: `source:${first.source}`,
            },
          },
        ],
        ...(delivery as { signal: typeof alertReceivedSignal; signalArgs: [AlertReceived] }),
      });
      return true;
    } catch (error) {
      if (error instanceof WorkflowExecutionAlreadyStartedError) return false;
      throw error;
    }
  }

  /** Delivers one incident's alerts; returns them as delivered (moved, if theirs had ended). */
  async function deliver(records: AlertRecord[], route: (alert: NormalisedAlert) => PinnedPlaybook): Promise<AlertRecord[]> {
    let current = records;
    for (let moves = 0; !(await signal(current, route(alertOfRecord(current[0]!)))); moves += 1) {
      if (moves >= MAX_REROUTES) throw new AlertNotDeliverableError(`alert ${records[0]!.id}: no incident could take it`);
      const first = current[0]!;
      // The incident ended: its key and these alerts move, atomically, to the incident now holding the key.
      const holder = await rerouteAlerts(db, { correlationKey: first.correlationKey, fromIncidentId: first.incidentId, alertIds: current.map((r) => r.id) });
      current = current.map((r) => ({ ...r, incidentId: holder }));
    }
    return current;
  }

  async function ingest(source: AlertSource, batch: NormalisedAlert[]): Promise<AlertAccepted[]> {
    const stored = await storeAlerts(
      db,
      source,
      batch.map((alert) => ({ alertId: randomUUID(), alert, correlationKey: correlationKey(alert) })),
      new Date(),
    );
    const waiting = stored.filter((s) => !s.record.deliveredAt).map((s) => s.record);
    let delivered: AlertRecord[] = [];
    if (waiting.length > 0) {
      const route = await deps.router();
      const limit = pLimit(DELIVERY_CONCURRENCY);
      delivered = (await Promise.all(byIncident(waiting).map((group) => limit(() => deliver(group, route))))).flat();
    }
    const marked = await markDelivered(
      db,
      delivered.map((r) => r.id),
      new Date(),
    );
    const now = new Map(delivered.map((r) => [r.id, r]));
    const answers = stored.map(({ record }) => {
      const current = now.get(record.id) ?? record;
      return { alertId: current.id, incidentId: current.incidentId, deduplicated: !marked.has(current.id) };
    });
    await countSuppressedDuplicates(
      db,
      answers.filter((a) => a.deduplicated).map((a) => a.incidentId),
    );
    return answers;
  }

  return { ingest };
}

export type AlertIntake = ReturnType<typeof createAlertIntake>;
