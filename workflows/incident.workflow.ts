/**
 * One workflow per incident. It only wires Temporal messages to the incident's lifecycle object
 * and carries out what that object queues: every accepted step goes, in order, to the
 * persistence activity. Deterministic: no I/O, no clock but Temporal's.
 */
import {
  ActivityFailure,
  ApplicationFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  patched,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { ContextActivities } from '../activities/context.activities.js';
import type { IncidentActivities } from '../activities/incident.activities.js';
import type { NotifyActivities } from '../activities/notify.activities.js';
import type { ApprovalVerdict } from '../machines/approval.js';
import type { ContextKind } from '../machines/playbook.types.js';
import { ACTIVITY } from './activity-options.js';
import { IncidentLifecycle, type RequestOutcome, type Verdict } from './incident.lifecycle.js';
import {
  REJECTION,
  SEARCH_ATTRIBUTES,
  alertReceivedSignal,
  applyEventUpdate,
  assignUpdate,
  decideApprovalUpdate,
  incidentViewQuery,
  logWorkUpdate,
  recordedViewUpdate,
  type IncidentWorkflow,
  type IncidentWorkflowInput,
} from './incident.messages.js';

const { recordIncidentStep } = proxyActivities<IncidentActivities>(ACTIVITY.persistence);
const { deliverNotification } = proxyActivities<NotifyActivities>(ACTIVITY.notify);
const gatherers = Object.fromEntries(
  Object.entries(ACTIVITY.enrichment).map(([kind, options]) => [kind, proxyActivities<ContextActivities>(options).gatherContext]),
) as unknown as Record<ContextKind, ContextActivities['gatherContext']>;

/**
 * A run continues as new once its history holds this many events, before Temporal would suggest
 * it: an auditor's replay (and a worker's cache miss) replays one run, and a short run keeps both
 * fast (about 0.3 ms per event). Behind a patch, so runs recorded before it replay as they ran.
 */
const RUN_HISTORY_LIMIT = 1_500;
const runIsLong = (limit = RUN_HISTORY_LIMIT) => workflowInfo().historyLength >= limit && patched('continue-as-new-at-run-history-limit');

/** The reason a lookup failed, from the activity failure's cause (timeout, connector error). */
function reasonOf(error: unknown): string {
  const cause = error instanceof ActivityFailure ? error.cause : error;
  return cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
}

function now(): string {
  return new Date().toISOString();
}

function refuseUnlessApprovable(verdict: ApprovalVerdict, event: string): void {
  if (verdict.ok) return;
  throw ApplicationFailure.create({ type: REJECTION[verdict.reason], message: verdict.message, details: [{ event }], nonRetryable: true });
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
  const answer = async ({ seq, pendingApproval }: RequestOutcome) => {
    await recorded(seq);
    return { incident: incident.view(), ...(pendingApproval ? { pendingApproval: { ...pendingApproval } } : {}) };
  };
  setHandler(applyEventUpdate, (request) => answer(incident.request(request, now())), {
    validator: (request) => rejectUnlessAllowed(incident.judge(request)),
  });
  setHandler(decideApprovalUpdate, (decision) => answer(incident.decide(decision, now())), {
    validator: (decision) => refuseUnlessApprovable(incident.judgeDecision(decision), decision.event),
  });
  setHandler(recordedViewUpdate, async () => {
    await recorded(incident.lastSeq);
    return incident.view();
  });
  setHandler(assignUpdate, ({ assignee, actor }) => answer({ seq: incident.assign(assignee, actor, now()) }));
  setHandler(logWorkUpdate, ({ minutes, note, actor }) => answer({ seq: incident.logWork(minutes, actor, now(), note) }));
  setHandler(incidentViewQuery, () => incident.view(now()));

  // Context lookups run beside the lifecycle: they never block a transition.
  let lookups = 0;
  const startLookups = () => {
    for (const { kind, facts } of incident.takeEnrichment()) {
      lookups += 1;
      void gatherers[kind]({ kind, facts })
        .then(
          (findings) => incident.contextGathered(kind, findings, now()),
          (error: unknown) => incident.enrichmentFailed(kind, reasonOf(error), now()),
        )
        .finally(() => (lookups -= 1));
    }
  };

  // Notifications, like lookups, run beside the lifecycle; each outcome is recorded.
  let deliveries = 0;
  const startDeliveries = () => {
    for (const request of incident.takeNotifications()) {
      deliveries += 1;
      void deliverNotification({ deliveryId: request.deliveryId, channel: request.channel, payload: request.payload })
        .then(
          () => incident.notificationDone(request, { delivered: true }, now()),
          (error: unknown) => incident.notificationDone(request, { delivered: false, reason: reasonOf(error) }, now()),
        )
        .finally(() => (deliveries -= 1));
    }
  };

  let indexed = '';
  for (;;) {
    // SLA clocks are durable timers: the wait ends when the next ladder step or breach is due.
    const due = incident.msUntilClockDue(now());
    const woke = () => incident.hasPending() || incident.hasEnrichment() || workflowInfo().continueAsNewSuggested;
    if (due === null) await condition(woke);
    else await condition(woke, Math.max(1, due));
    incident.tickClocks(now());
    startLookups();
    startDeliveries();
    for (let step = incident.nextPending(); step; step = incident.nextPending()) {
      await recordIncidentStep(step);
      incident.markRecorded(step.seq);
    }
    const attributes = incident.searchIndex();
    const index = `${attributes.stage}|${attributes.severity}|${attributes.priority}`;
    if (index !== indexed) {
      upsertSearchAttributes([
        { key: SEARCH_ATTRIBUTES.stage, value: attributes.stage },
        { key: SEARCH_ATTRIBUTES.severity, value: attributes.severity },
        { key: SEARCH_ATTRIBUTES.priority, value: attributes.priority },
        { key: SEARCH_ATTRIBUTES.playbook, value: attributes.playbook },
      ]);
      indexed = index;
    }
    if (workflowInfo().continueAsNewSuggested || runIsLong(input.runHistoryLimit)) {
      const idle = () => allHandlersFinished() && lookups === 0 && deliveries === 0;
      await condition(() => idle() || incident.hasPending() || incident.hasEnrichment());
      if (!incident.hasPending() && !incident.hasEnrichment() && idle()) await continueAsNew<typeof incidentWorkflow>({ ...input, carried: incident.carry() });
    }
  }
};
