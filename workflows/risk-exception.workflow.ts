/**
 * One workflow per risk exception: its lifecycle (machines/risk-exception.ts) with durable timers
 * for the notice to its owner and the expiry. Every decision is an Update answered once its event
 * is recorded (the row the context connector reads, and the signed `risk` audit chain); when the
 * exception ends (expired, revoked) the incidents it covered are told, so their priority drops
 * back and an exposure closed by accepting the risk under it reopens. Workflow code: deterministic.
 */
import { ApplicationFailure, condition, defineQuery, defineUpdate, getExternalWorkflowHandle, proxyActivities, setHandler } from '@temporalio/workflow';
import type { RiskExceptionActivities } from '../activities/risk-exception.activities.js';
import type { DeliverNotificationInput } from '../activities/notify.activities.js';
import {
  decideRiskException,
  dueRiskEvents,
  isTerminal,
  nextRiskDeadline,
  requestRiskException,
  type RiskEvent,
  type RiskExceptionCommand,
  type RiskExceptionRequest,
  type RiskExceptionState,
} from '../machines/risk-exception.js';
import { ACTIVITY } from './activity-options.js';
import { incidentWorkflowId, riskExceptionEndedSignal } from './incident.messages.js';

export const RISK_EXCEPTION_WORKFLOW_TYPE = 'riskExceptionWorkflow';
export const riskExceptionWorkflowId = (id: string) => `risk-exception:${id}`;

export interface RiskExceptionInput {
  request: RiskExceptionRequest;
  requestedBy: string;
}

export const riskExceptionDecisionUpdate = defineUpdate<RiskExceptionState, [RiskExceptionCommand]>('riskExceptionDecision');
export const riskExceptionQuery = defineQuery<RiskExceptionState>('riskException');

const { recordRiskExceptionEvents, incidentsUnderException } = proxyActivities<RiskExceptionActivities>(ACTIVITY.persistence);
const { deliverNotification } = proxyActivities<{ deliverNotification(input: DeliverNotificationInput): Promise<{ status: number }> }>(ACTIVITY.notify);

const now = () => new Date().toISOString();

export async function riskExceptionWorkflow(input: RiskExceptionInput): Promise<RiskExceptionState> {
  const requested = requestRiskException(input.request, input.requestedBy, now());
  let state = requested.state;
  let seq = 0;
  let changed = 0;
  /** Events recorded in order, one batch at a time: an Update waits for its own. */
  let recording: Promise<void> = Promise.resolve();
  const record = (events: RiskEvent[]): Promise<void> => {
    const batch = events.map((event) => ({ ...event, seq: ++seq }));
    const snapshot = state;
    recording = recording.then(async () => {
      await recordRiskExceptionEvents({ state: snapshot, events: batch });
    });
    return recording;
  };

  setHandler(riskExceptionQuery, () => state);
  setHandler(
    riskExceptionDecisionUpdate,
    async (command) => {
      const decided = decideRiskException(state, command, now());
      if (!decided.ok) throw ApplicationFailure.create({ type: decided.reason, message: decided.message, nonRetryable: true });
      state = decided.state;
      changed += 1;
      await record(decided.events);
      return state;
    },
    {
      validator: (command) => {
        const decided = decideRiskException(state, command, now());
        if (!decided.ok) throw ApplicationFailure.create({ type: decided.reason, message: decided.message, nonRetryable: true });
      },
    },
  );

  await record(requested.events);
  while (!isTerminal(state)) {
    const deadline = nextRiskDeadline(state);
    const seen = changed;
    if (deadline) await condition(() => changed !== seen, Math.max(1, Date.parse(deadline) - Date.parse(now())));
    else await condition(() => changed !== seen);
    const due = dueRiskEvents(state, now());
    if (due.events.length === 0) continue;
    state = due.state;
    await record(due.events);
    if (due.events.some((e) => e.type === 'risk_exception_expiring')) await noticeOwner(state);
  }
  await recording;
  if (state.status === 'expired' || state.status === 'revoked') await tellIncidents(state);
  return state;
}

/** The owner's channel (a notification channel named as the owner) hears of the coming expiry; a failed delivery is recorded, never retried for ever. */
async function noticeOwner(state: RiskExceptionState): Promise<void> {
  const payload = { type: 'risk_exception_expiring', exceptionId: state.id, owner: state.owner, expiresAt: state.expiresAt, justification: state.justification, link: `/v1/risk-exceptions/${state.id}` };
  await deliverNotification({ deliveryId: `risk:${state.id}:expiring:${state.renewals}`, channel: state.owner, payload }).catch(() => undefined);
}

async function tellIncidents(state: RiskExceptionState): Promise<void> {
  const reason = state.status === 'revoked' ? 'revoked' : 'expired';
  for (const incidentId of await incidentsUnderException({ exceptionId: state.id })) {
    // An incident whose workflow is gone (deleted, never started) has nothing left to change.
    await getExternalWorkflowHandle(incidentWorkflowId(incidentId))
      .signal(riskExceptionEndedSignal, { exceptionId: state.id, endedAt: state.endedAt ?? now(), reason })
      .catch(() => undefined);
  }
}
