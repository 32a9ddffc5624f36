/**
 * Forwarding alerts that reached a closed incident: the correlation key moves to the incident
 * that holds it now (a new one, started here as an independent child, or one already open),
 * and the alerts are signalled there. Workflow code: deterministic.
 */
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { ParentClosePolicy, getExternalWorkflowHandle, proxyActivities, startChild, workflowInfo } from '@temporalio/workflow';
import type { AlertActivities } from '../activities/alert.activities.js';
import type { AlertReceived } from '../machines/alert.js';
import { ACTIVITY } from './activity-options.js';
import { INCIDENT_WORKFLOW_TYPE, alertsReceivedSignal, incidentWorkflowId, type IncidentWorkflow } from './incident.messages.js';

const { claimIncidentForAlerts } = proxyActivities<AlertActivities>(ACTIVITY.persistence);

/** Hands the alerts to the incident now holding their key; returns its id. */
export async function forwardAlerts(alerts: AlertReceived[], from: { incidentId: string; correlationKey: string }): Promise<string> {
  const first = alerts[0]!;
  const { incidentId, playbook } = await claimIncidentForAlerts({ correlationKey: from.correlationKey, fromIncidentId: from.incidentId, alertIds: alerts.map((a) => a.alertId) });
  const workflowId = incidentWorkflowId(incidentId);
  try {
    await startChild<IncidentWorkflow>(INCIDENT_WORKFLOW_TYPE, {
      workflowId,
      taskQueue: workflowInfo().taskQueue,
      parentClosePolicy: ParentClosePolicy.ABANDON,
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      args: [
        {
          incidentId,
          playbook,
          opening: {
            title: first.title,
            severity: first.severity,
            ...(first.category ? { category: first.category } : {}),
            correlationKey: from.correlationKey,
            ...(first.detectedAt ? { detectedAt: first.detectedAt } : {}),
            openedBy: `source:${first.source}`,
          },
        },
      ],
    });
  } catch (error) {
    // Open already (another alert or move opened it): it takes the signal.
    if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
  }
  await getExternalWorkflowHandle(workflowId).signal(alertsReceivedSignal, alerts);
  return incidentId;
}
