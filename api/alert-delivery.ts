/**
 * Delivering stored alerts to their incidents' workflows: the alerts of one incident in one
 * signalWithStart (a new key starts the incident, a known one adds to it); the caller marks them
 * delivered once the workflow holds them. An incident whose workflow has ended can take no alert: its key and
 * these alerts move, atomically, to the incident now holding the key, and go there.
 */
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { alertOfRecord, receivedOfRecord } from '../db/alert-records.js';
import { rerouteAlerts, type AlertRecord } from '../db/alerts.repo.js';
import type { Database } from '../db/client.js';
import type { AlertReceived, NormalisedAlert } from '../machines/alert.js';
import type { PinnedPlaybook } from '../machines/playbook.types.js';
import { INCIDENT_WORKFLOW_TYPE, alertReceivedSignal, alertsReceivedSignal, incidentWorkflowId, type IncidentWorkflow } from '../workflows/incident.messages.js';

/** More moves than this for one delivery is a fault, not a race. */
const MAX_REROUTES = 3;

export class AlertNotDeliverableError extends Error {
  override name = 'AlertNotDeliverableError';
}

export type PlaybookRoute = (alert: NormalisedAlert) => PinnedPlaybook;

/** Alerts grouped by the incident they go to, in the order they came. */
export function byIncident(records: AlertRecord[]): AlertRecord[][] {
  const groups = new Map<string, AlertRecord[]>();
  for (const record of records) groups.set(record.incidentId, [...(groups.get(record.incidentId) ?? []), record]);
  return [...groups.values()];
}

export function createAlertDelivery(deps: { db: Database; temporal: Client; taskQueue: string }) {
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

  /** Delivers one incident's alerts; returns them as delivered (moved, if theirs had ended). The caller marks them. */
  async function deliver(records: AlertRecord[], route: PlaybookRoute): Promise<AlertRecord[]> {
    let current = records;
    for (let moves = 0; !(await signal(current, route(alertOfRecord(current[0]!)))); moves += 1) {
      if (moves >= MAX_REROUTES) throw new AlertNotDeliverableError(`alert ${records[0]!.id}: no incident could take it`);
      const first = current[0]!;
      const holder = await rerouteAlerts(db, { correlationKey: first.correlationKey, fromIncidentId: first.incidentId, alertIds: current.map((r) => r.id) });
      current = current.map((r) => ({ ...r, incidentId: holder }));
    }
    return current;
  }

  return { deliver };
}

export type AlertDelivery = ReturnType<typeof createAlertDelivery>;
