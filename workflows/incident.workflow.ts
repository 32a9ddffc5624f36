/**
 * One workflow per incident. It only wires Temporal messages to the incident's lifecycle object
 * and carries out what that object queues: every accepted step goes, in order, to the
 * persistence activity. Deterministic: no I/O, no clock but Temporal's.
 */
import {
  ApplicationFailure,
  allHandlersFinished,
  condition,
  currentUpdateInfo,
  continueAsNew,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { ContextActivities } from '../activities/context.activities.js';
import type { NotifyActivities } from '../activities/notify.activities.js';
import type { ApprovalVerdict } from '../machines/approval.js';
import type { CaseWorkVerdict } from './incident.casework.js';
import type { EvidenceVerdict } from './incident.evidence.js';
import type { ContextKind } from '../machines/playbook.types.js';
import { ACTIVITY, ENRICHMENT_POLICY } from './activity-options.js';
import { IncidentLifecycle, type RequestOutcome, type Verdict } from './incident.lifecycle.js';
import { forwardAlerts } from './incident.forwarding.js';
import { gatherInActivity, gatherLocallyFirst, reasonOf, type Beside, type Lookup } from './incident.lookups.js';
import { ClockAlarm } from './incident.alarm.js';
import { AnsweredRequests } from './incident.idempotency.js';
import { PATCH_IDS, type IncidentPatches } from './incident.patches.js';
import { recordPending } from './incident.recording.js';
import { since, sinceBaseline } from './incident.patched.js';
import {
  REJECTION,
  RUN_HISTORY_LIMIT,
  SEARCH_ATTRIBUTES,
  alertReceivedSignal,
  alertsReceivedSignal,
  riskExceptionEndedSignal,
  applyEventUpdate,
  assignUpdate,
  caseNoteUpdate,
  caseTaskUpdate,
  caseEvidenceUpdate,
  caseObservableUpdate,
  caseLinkUpdate,
  decideApprovalUpdate,
  incidentViewQuery,
  logWorkUpdate,
  recordedViewUpdate,
  type CarriedIncident,
  type IncidentWorkflow,
  type IncidentWorkflowInput,
} from './incident.messages.js';

const { deliverNotification } = proxyActivities<NotifyActivities>(ACTIVITY.notify);
/** Runs recorded before lookups were gathered in one activity: one activity per kind. */
const gatherers = Object.fromEntries(
  Object.entries(ACTIVITY.enrichment).map(([kind, options]) => [kind, proxyActivities<ContextActivities>(options).gatherContext]),
) as unknown as Record<ContextKind, ContextActivities['gatherContext']>;

/** Continuing as new at RUN_HISTORY_LIMIT is behind a patch, so runs recorded before it replay as they ran. */
const runIsLong = (limit = RUN_HISTORY_LIMIT) => workflowInfo().historyLength >= limit && since('continue-as-new-at-run-history-limit');

function now(): string {
  return new Date().toISOString();
}

function refuseUnlessApprovable(verdict: ApprovalVerdict, event: string): void {
  if (verdict.ok) return;
  throw ApplicationFailure.create({ type: REJECTION[verdict.reason], message: verdict.message, details: [{ event }], nonRetryable: true });
}

function refuseUnlessCaseWorkAllowed(verdict: CaseWorkVerdict | EvidenceVerdict): void {
  if (verdict.ok) return;
  throw ApplicationFailure.create({ type: REJECTION[verdict.reason], message: verdict.message, nonRetryable: true });
}

function rejectUnlessAllowed(verdict: Verdict): void {
  if (verdict.allowed) return;
  const message =
    verdict.reason === 'eventNotAllowed'
      ? `event ${verdict.details.event} is not allowed in stage ${verdict.details.stage}`
      : `the procedure of ${verdict.details.event} is not met`;
  throw ApplicationFailure.create({ type: REJECTION[verdict.reason], message, details: [verdict.details], nonRetryable: true });
}

/**
 * Wires every Temporal message to exactly one call on the incident. A keyed request answered
 * before (in this run or an earlier one) is not judged or applied again: it answers once what
 * the first one waited for is recorded.
 */
function wireHandlers(incident: IncidentLifecycle, answered: AnsweredRequests): void {
  const recorded = (seq: number) => condition(() => incident.recordedSeq >= seq);
  setHandler(alertReceivedSignal, (alert) => incident.receiveAlert(alert, now()));
  setHandler(alertsReceivedSignal, (alerts) => alerts.forEach((alert) => incident.receiveAlert(alert, now())));
  setHandler(riskExceptionEndedSignal, (ended) => incident.riskExceptionEnded(ended, now()));
  const answer = async ({ seq, pendingApproval }: RequestOutcome) => {
    await recorded(seq);
    return { incident: incident.view(), ...(pendingApproval ? { pendingApproval: { ...pendingApproval } } : {}) };
  };
  const once = (act: () => RequestOutcome) => {
    const id = currentUpdateInfo()?.id;
    const first = answered.firstAnswer(id);
    if (first) return answer({ seq: first.seq, pendingApproval: incident.pendingApproval(first.pendingEvent) });
    const outcome = act();
    answered.remember(id, { seq: outcome.seq, ...(outcome.pendingApproval ? { pendingEvent: outcome.pendingApproval.event } : {}) });
    return answer(outcome);
  };
  const judgeUnlessAnswered = (judge: () => void) => {
    if (!answered.firstAnswer(currentUpdateInfo()?.id)) judge();
  };
  setHandler(applyEventUpdate, (request) => once(() => incident.request(request, now())), {
    validator: (request) => judgeUnlessAnswered(() => rejectUnlessAllowed(incident.judge(request))),
  });
  setHandler(decideApprovalUpdate, (decision) => once(() => incident.decide(decision, now())), {
    validator: (decision) => judgeUnlessAnswered(() => refuseUnlessApprovable(incident.judgeDecision(decision), decision.event)),
  });
  setHandler(recordedViewUpdate, async () => {
    await recorded(incident.lastSeq);
    return incident.view();
  });
  setHandler(assignUpdate, (request) => once(() => ({ seq: incident.assign(request, now()) })));
  setHandler(logWorkUpdate, (request) => once(() => ({ seq: incident.logWork(request, now()) })));
  setHandler(caseNoteUpdate, (request) => once(() => ({ seq: incident.note(request, now()) })), {
    validator: (request) => judgeUnlessAnswered(() => refuseUnlessCaseWorkAllowed(incident.judgeNote(request))),
  });
  setHandler(caseTaskUpdate, (request) => once(() => ({ seq: incident.task(request, now()) })), {
    validator: (request) => judgeUnlessAnswered(() => refuseUnlessCaseWorkAllowed(incident.judgeTask(request))),
  });
  setHandler(caseEvidenceUpdate, (request) => once(() => ({ seq: incident.evidence(request, now()) })), {
    validator: (request) => judgeUnlessAnswered(() => refuseUnlessCaseWorkAllowed(incident.judgeEvidence(request))),
  });
  setHandler(caseObservableUpdate, (request) => once(() => ({ seq: incident.observe(request, now()) })));
  setHandler(caseLinkUpdate, (request) => once(() => ({ seq: incident.link(request, now()) })), {
    validator: (request) => judgeUnlessAnswered(() => refuseUnlessCaseWorkAllowed(incident.judgeLink(request))),
  });
  setHandler(incidentViewQuery, () => incident.view(now()));
}

export const incidentWorkflow: IncidentWorkflow = async function incidentWorkflow(input: IncidentWorkflowInput): Promise<void> {
  const patches = Object.fromEntries(Object.entries(PATCH_IDS).map(([name, id]) => [name, () => since(id)])) as unknown as IncidentPatches;
  const incident = new IncidentLifecycle(input, now(), patches);
  const answered = new AnsweredRequests(input.carried?.answered);
  wireHandlers(incident, answered);

  // Lookups, notifications and forwarded alerts run beside the lifecycle: they never block a
  // transition (a lookup's quick local try holds the task at most QUICK_LOOKUP_MS), each outcome is
  // recorded, and a run continues as new only when none is in flight.
  let inFlight = 0;
  const beside: Beside = (work, done, failed) => {
    inFlight += 1;
    void work.then(done, failed).finally(() => (inFlight -= 1));
  };
  /** Starts what runs beside the lifecycle; returns the lookups to try locally first (the main loop awaits them). */
  const startSideWork = (): Lookup[] => {
    const lookups = incident.takeEnrichment();
    let local: Lookup[] = [];
    if (lookups.length > 0 && since('gather-context-in-one-activity')) {
      if (since('gather-context-locally-first')) local = lookups;
      else gatherInActivity(lookups.map(({ kind, facts }) => ({ kind, facts, policy: ENRICHMENT_POLICY[kind] })), incident, beside);
    } else {
      for (const { kind, facts } of lookups) {
        beside(gatherers[kind]({ kind, facts }), (findings) => incident.contextGathered(kind, findings, now()), (error) => incident.enrichmentFailed(kind, reasonOf(error), now()));
      }
    }
    for (const request of incident.takeNotifications()) {
      beside(
        deliverNotification({ deliveryId: request.deliveryId, channel: request.channel, payload: request.payload }),
        () => incident.notificationDone(request, { delivered: true }, now()),
        (error) => incident.notificationDone(request, { delivered: false, reason: reasonOf(error) }, now()),
      );
    }
    const alerts = incident.takeReroutes();
    if (alerts.length > 0) {
      const from = { incidentId: input.incidentId, correlationKey: input.opening.correlationKey ?? '' };
      beside(forwardAlerts(alerts, from), (to) => incident.forwarded(alerts, to, now()), (error) => incident.forwarded(alerts, null, now(), reasonOf(error)));
    }
    return local;
  };
  const hasWork = () => incident.hasPending() || incident.hasEnrichment() || incident.hasReroutes();

  let indexed = '';
  const alarm = new ClockAlarm();
  for (;;) {
    // SLA clocks are durable timers: the wait ends when the next ladder step or breach is due.
    const due = incident.msUntilClockDue(now());
    const woke = () => hasWork() || workflowInfo().continueAsNewSuggested;
    if (since('keep-clock-timer')) {
      const at = Date.parse(now());
      alarm.set(due === null ? null : at + due, at);
      await condition(() => woke() || alarm.rang);
    } else if (due === null) await condition(woke);
    else await condition(woke, Math.max(1, due));
    incident.tickClocks(now());
    const local = startSideWork();
    // The quick lookups first, then one recording of the task's steps and their findings: the
    // task ends only when its local activities have, so recording before them saved no wait and
    // cost a second recording (and the activation it resolves in).
    if (local.length > 0 && sinceBaseline()) {
      await gatherLocallyFirst(local, incident, beside);
      await recordPending(incident);
    } else {
      await recordPending(incident);
      if (local.length > 0) await gatherLocallyFirst(local, incident, beside);
    }
    indexed = indexSearchAttributes(incident, indexed);
    if (workflowInfo().continueAsNewSuggested || runIsLong(input.runHistoryLimit)) {
      const idle = () => allHandlersFinished() && inFlight === 0;
      await condition(() => idle() || hasWork());
      if (!hasWork() && idle()) await continueAsNew<typeof incidentWorkflow>({ ...input, carried: { ...incident.carry(), ...withAnswered(answered) } });
    }
  }
};

function withAnswered(answered: AnsweredRequests): { answered?: CarriedIncident['answered'] } {
  const carried = answered.carry();
  return carried ? { answered: carried } : {};
}

/** Upserts the search attributes when stage, severity or priority moved; returns what is indexed. */
function indexSearchAttributes(incident: IncidentLifecycle, indexed: string): string {
  const attributes = incident.searchIndex();
  const index = `${attributes.stage}|${attributes.severity}|${attributes.priority}`;
  if (index === indexed) return indexed;
  upsertSearchAttributes([
    { key: SEARCH_ATTRIBUTES.stage, value: attributes.stage },
    { key: SEARCH_ATTRIBUTES.severity, value: attributes.severity },
    { key: SEARCH_ATTRIBUTES.priority, value: attributes.priority },
    { key: SEARCH_ATTRIBUTES.playbook, value: attributes.playbook },
  ]);
  return index;
}
