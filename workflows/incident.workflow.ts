/**
 * One workflow per incident. It only wires Temporal messages to the incident's lifecycle object
 * and carries out what that object queues: every accepted step goes, in order, to the
 * persistence activity. Deterministic: no I/O, no clock but Temporal's.
 */
import {
  ApplicationFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { IncidentActivities } from '../activities/incident.activities.js';
import { ACTIVITY } from './activity-options.js';
import { IncidentLifecycle, type Verdict } from './incident.lifecycle.js';
import {
  REJECTION,
  SEARCH_ATTRIBUTES,
  alertReceivedSignal,
  applyEventUpdate,
  incidentViewQuery,
  recordedViewUpdate,
  type IncidentWorkflow,
  type IncidentWorkflowInput,
} from './incident.messages.js';

const { recordIncidentStep } = proxyActivities<IncidentActivities>(ACTIVITY.persistence);

function now(): string {
  return new Date().toISOString();
}

function rejectUnlessAllowed(verdict: Verdict): void {
  if (verdict.allowed) return;
  const message =
    verdict.reason === 'eventNotAllowed'
      ? `event ${verdict.details.event} is not allowed in stage ${verdict.details.stage}`
      : `the procedure of ${verdict.details.event} is not met`;
  throw ApplicationFailure.create({ type: REJECTION[verdict.reason], message, details: [verdict.details], nonRetryable: true });
}

export const incidentWorkflow: IncidentWorkflow = async function incidentWorkflow(input: IncidentWorkflowInput): Promise<void> {
  const incident = new IncidentLifecycle(input, now());
  const recorded = (seq: number) => condition(() => incident.recordedSeq >= seq);

  setHandler(alertReceivedSignal, (alert) => incident.receiveAlert(alert, now()));
  setHandler(
    applyEventUpdate,
    async (request) => {
      await recorded(incident.apply(request, now()));
      return incident.view();
    },
    { validator: (request) => rejectUnlessAllowed(incident.judge(request)) },
  );
  setHandler(recordedViewUpdate, async () => {
    await recorded(incident.lastSeq);
    return incident.view();
  });
  setHandler(incidentViewQuery, () => incident.view());

  let indexed = '';
  for (;;) {
    await condition(() => incident.hasPending() || workflowInfo().continueAsNewSuggested);
    for (let step = incident.nextPending(); step; step = incident.nextPending()) {
      await recordIncidentStep(step);
      incident.markRecorded(step.seq);
    }
    const view = incident.view();
    const index = `${view.stage}|${view.severity}|${view.priority}`;
    if (index !== indexed) {
      upsertSearchAttributes([
        { key: SEARCH_ATTRIBUTES.stage, value: view.stage },
        { key: SEARCH_ATTRIBUTES.severity, value: view.severity },
        { key: SEARCH_ATTRIBUTES.priority, value: view.priority },
        { key: SEARCH_ATTRIBUTES.playbook, value: `${view.playbook.id}@${view.playbook.version}` },
      ]);
      indexed = index;
    }
    if (workflowInfo().continueAsNewSuggested) {
      await condition(() => allHandlersFinished() || incident.hasPending());
      if (!incident.hasPending()) await continueAsNew<typeof incidentWorkflow>({ ...input, carried: incident.carry() });
    }
  }
};
