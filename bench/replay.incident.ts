/**
 * The incident the replay benchmark replays: one of the shipped `quantitative` playbook (SLA
 * clocks on triage and containment, enrichment on every stage, approvals under the two-person
 * rule), worked round after round - an alert joins, containment is approved, the incident is put
 * on hold and resumed, closed with two approvers and reopened - until its run is as long as a
 * run gets before it continues as new.
 */
import type { WorkflowHandle } from '@temporalio/client';
import { alertReceivedSignal, applyEventUpdate, decideApprovalUpdate, type IncidentWorkflow } from '../workflows/incident.messages.js';

const ANALYST = 'bench-analyst';

async function step(handle: WorkflowHandle<IncidentWorkflow>, event: string, fields?: Record<string, string>, checklist?: string[]): Promise<void> {
  await handle.executeUpdate(applyEventUpdate, { args: [{ event, actor: ANALYST, ...(fields ? { fields } : {}), ...(checklist ? { checklist } : {}) }] });
}

async function approve(handle: WorkflowHandle<IncidentWorkflow>, event: string, approver: string): Promise<void> {
  await handle.executeUpdate(decideApprovalUpdate, { args: [{ event, decision: 'approve', actor: approver, actorRoles: ['approver'] }] });
}

/** One round from analysis back to analysis: 12 lifecycle steps, one alert, three approvals. */
async function round(handle: WorkflowHandle<IncidentWorkflow>, i: number): Promise<void> {
  await handle.signal(alertReceivedSignal, {
    alertId: `replay-bench-alert-${i}`,
    source: 'generic',
    sourceId: `replay-bench-${i}`,
    title: `Beacon again, round ${i}`,
    severity: 'medium',
    receivedAt: new Date().toISOString(),
    hostnames: ['web-01'],
  });
  await step(handle, 'contain', { containmentPlan: `isolate web-01, round ${i}` }, ['scope-confirmed', 'business-owner-informed']);
  await approve(handle, 'contain', 'approver-1');
  await step(handle, 'hold');
  await step(handle, 'resume');
  await step(handle, 'eradicate', undefined, ['containment-verified']);
  await step(handle, 'recover', { eradicationSummary: `reimaged, round ${i}` });
  await step(handle, 'resolve', { rootCause: 'exposed admin panel' });
  await step(handle, 'close', { lessonsLearned: 'patch faster', costEstimate: '4h' }, ['kpis-reviewed', 'report-filed']);
  await approve(handle, 'close', 'approver-1');
  await approve(handle, 'close', 'approver-2');
  await step(handle, 'reopen');
}

const historyLength = async (handle: WorkflowHandle<IncidentWorkflow>) => (await handle.fetchHistory()).events?.length ?? 0;

/**
 * Works the incident (opened in `new`) until one more round would take its run past `limit`
 * history events. Returns the rounds worked; throws if the run continued as new meanwhile.
 */
export async function workLongIncident(handle: WorkflowHandle<IncidentWorkflow>, limit: number): Promise<number> {
  const { runId } = await handle.describe();
  await step(handle, 'acknowledge');
  await step(handle, 'start_analysis');
  let rounds = 0;
  let length = await historyLength(handle);
  let perRound = 0;
  while (length + perRound * 1.5 < limit) {
    await round(handle, rounds);
    rounds += 1;
    const next = await historyLength(handle);
    perRound = next - length;
    length = next;
  }
  if ((await handle.describe()).runId !== runId) throw new Error('the incident continued as new while it was built: lower the margin');
  return rounds;
}
