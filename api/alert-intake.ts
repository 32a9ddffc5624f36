/**
 * Alert intake: de-duplicate by (source, sourceId), route by correlation key to the open incident
 * that holds it (or a new one), and hand the alert to that incident's workflow with
 * signalWithStart. An alert is answered 202 only once the workflow holds it; an alert stored but
 * not delivered (a crash, Temporal down) is delivered by the next attempt of the same alert.
 */
import { randomUUID } from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { findAlert, markDelivered, reassignAlert, releaseCorrelation, storeAlert, type AlertRecord } from '../db/alerts.repo.js';
import type { Database } from '../db/client.js';
import { countSuppressedDuplicate } from '../db/measures.repo.js';
import { assetNames, correlationKey, type AlertAsset, type AlertReceived, type NormalisedAlert } from '../machines/alert.js';
import type { Observable } from '../machines/context.types.js';
import type { PinnedPlaybook, Severity } from '../machines/playbook.types.js';
import {
  INCIDENT_WORKFLOW_TYPE,
  alertReceivedSignal,
  incidentWorkflowId,
  type IncidentWorkflow,
} from '../workflows/incident.messages.js';
import { newIncidentId } from './ids.js';

export interface AlertIntakeDeps {
  db: Database;
  temporal: Client;
  taskQueue: string;
  /** The playbook version a new incident opened by this alert runs. */
  playbookFor(alert: NormalisedAlert): Promise<PinnedPlaybook>;
}

export interface AlertAccepted {
  alertId: string;
  incidentId: string;
  deduplicated: boolean;
}

function received(record: AlertRecord): AlertReceived {
  const { hostnames, ips } = assetNames(record.assets as AlertAsset[]);
  const observables = (record.observables ?? []) as Observable[];
  return {
    ...(hostnames.length ? { hostnames } : {}),
    ...(ips.length ? { ips } : {}),
    ...(observables.length ? { observables } : {}),
    alertId: record.id,
    source: record.source as AlertReceived['source'],
    sourceId: record.sourceId,
    title: record.title,
    severity: record.severity as Severity,
    ...(record.ruleId ? { ruleId: record.ruleId } : {}),
    ...(record.category ? { category: record.category } : {}),
    ...(record.detectedAt ? { detectedAt: record.detectedAt.toISOString() } : {}),
    receivedAt: record.receivedAt.toISOString(),
  };
}

export function createAlertIntake(deps: AlertIntakeDeps) {
  const { db, temporal, taskQueue } = deps;

  /** signalWithStart; false when the incident's workflow has ended and can take no alert. */
  async function deliver(record: AlertRecord, alert: NormalisedAlert): Promise<boolean> {
    const playbook = await deps.playbookFor(alert);
    try {
      await temporal.workflow.signalWithStart<IncidentWorkflow, [AlertReceived]>(INCIDENT_WORKFLOW_TYPE, {
        workflowId: incidentWorkflowId(record.incidentId),
        taskQueue,
        // An ended incident is never started again under the same id.
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
        args: [
          {
            incidentId: record.incidentId,
            playbook,
            opening: {
              title: alert.title,
              severity: alert.severity,
              ...(alert.category ? { category: alert.category } : {}),
              correlationKey: record.correlationKey,
              ...(alert.detectedAt ? { detectedAt: alert.detectedAt } : {}),
              openedBy: `source:${alert.source}`,
            },
          },
        ],
        signal: alertReceivedSignal,
        signalArgs: [received(record)],
      });
      return true;
    } catch (error) {
      if (error instanceof WorkflowExecutionAlreadyStartedError) return false;
      throw error;
    }
  }

  async function deliverAndMark(record: AlertRecord, alert: NormalisedAlert): Promise<AlertRecord> {
    let current = record;
    for (let attempt = 0; !(await deliver(current, alert)); attempt += 1) {
      if (attempt >= 3) throw new Error(`alert ${record.id}: no incident could take it`);
      // The incident ended: free its key and route the alert to a new incident.
      await releaseCorrelation(db, current.correlationKey, current.incidentId);
      const incidentId = newIncidentId();
      await reassignAlert(db, current.id, incidentId);
      current = { ...current, incidentId };
    }
    await markDelivered(db, current.id, new Date());
    return current;
  }

  async function ingest(alert: NormalisedAlert): Promise<AlertAccepted> {
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const known = await findAlert(db, alert.source, alert.sourceId);
      if (known?.deliveredAt) {
        await countSuppressedDuplicate(db, known.incidentId);
        return { alertId: known.id, incidentId: known.incidentId, deduplicated: true };
      }
      if (known) {
        const delivered = await deliverAndMark(known, alert);
        return { alertId: delivered.id, incidentId: delivered.incidentId, deduplicated: false };
      }
      const stored = await storeAlert(db, {
        alertId: randomUUID(),
        alert,
        correlationKey: correlationKey(alert),
        newIncidentId: newIncidentId(),
        receivedAt: new Date(),
      });
      if (!stored) continue; // a concurrent request stored it first: answer as it does
      const delivered = await deliverAndMark(stored, alert);
      return { alertId: delivered.id, incidentId: delivered.incidentId, deduplicated: false };
    }
    throw new Error(`alert ${alert.source}/${alert.sourceId} could not be stored`);
  }

  return { ingest };
}

export type AlertIntake = ReturnType<typeof createAlertIntake>;
