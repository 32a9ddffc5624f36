/**
 * The rich golden walk of a shipped playbook, on the time-skipping server so an SLA timer fires:
 * the incident is started with a short run limit and work is logged until it continues as new,
 * so the walk goes on in a later run; it takes alert signals, its first stage's SLA clock runs past its target (the escalation ladder
 * fires), it is put on hold and resumed (where the playbook can hold), every approval its gates
 * ask for is given by two people other than the requester, and it ends closed. Every patch the
 * workflow asks along the way leaves its marker. Returns every run's history, oldest first.
 */
import { expect } from 'vitest';
import { latestPlaybook } from '../../db/playbooks.repo.js';
import { findTransition } from '../../machines/procedure.js';
import { INCIDENT_WORKFLOW_TYPE, recordedViewUpdate, type IncidentWorkflow } from '../../workflows/incident.messages.js';
import type { Stack } from '../support/stack.js';

/** History events after which the golden run continues as new: a few times over a walk. */
const SHORT_RUN = 120;
const HOUR = 3_600_000;

export interface RichWalk {
  id: string;
  walk: string[];
}

export async function recordRichWalk(stack: Stack, { id, walk }: RichWalk, people: { analyst: string; approvers: string[] }): Promise<unknown[]> {
  const playbook = (await latestPlaybook(stack.database.db, id))!;
  const incidentId = `INC-GOLDEN-RICH-${id.toUpperCase()}`;
  const handle = await stack.client.workflow.start<IncidentWorkflow>(INCIDENT_WORKFLOW_TYPE, {
    workflowId: incidentId,
    taskQueue: stack.taskQueue,
    args: [{ incidentId, playbook, opening: { title: `golden rich ${id}`, severity: 'high', openedBy: 'alice' }, runHistoryLimit: SHORT_RUN }],
  });
  const settle = () => stack.client.workflow.getHandle(incidentId).executeUpdate(recordedViewUpdate);
  await settle();
  for (const n of [1, 2]) {
    await stack.client.workflow.getHandle(incidentId).signal('alertReceived', {
      alertId: `golden-${id}-${n}`, source: 'generic', sourceId: `golden-${id}-${n}`, title: `signal ${n}`, severity: 'high', receivedAt: new Date(Date.UTC(2026, 0, 1, 0, n)).toISOString(),
    });
  }
  await settle();
  // Work logged until the run is long enough to continue as new: the walk goes on in a later run.
  const firstRun = (await handle.describe()).runId;
  for (let i = 0; i < 60 && (await handle.describe()).runId === firstRun; i += 1) {
    expect((await stack.call('POST', `/v1/incidents/${incidentId}/work-log`, people.analyst, { minutes: 5 })).status).toBe(200);
  }
  let stage = playbook.document.initial;
  let timerFired = false;
  for (const event of walk) {
    // The first stage with an SLA: its clock runs past the target, so the ladder's timers fire.
    if (!timerFired && playbook.document.stages[stage]?.sla) {
      await stack.timeSkipping!.skip(2 * HOUR);
      await settle();
      timerFired = true;
    }
    if (findTransition(playbook.document, stage, 'hold')) {
      for (const step of ['hold', 'resume']) expect((await move(stack, people.analyst, incidentId, step)).status, `${id}: ${step}`).toBe(200);
    }
    const requires = findTransition(playbook.document, stage, event)?.requires;
    const body = { event, fields: Object.fromEntries((requires?.fields ?? []).map((f) => [f, f === 'costEstimate' ? 1200 : `${f} (golden)`])), checklist: requires?.checklist ?? [] };
    let answer = await stack.call('POST', `/v1/incidents/${incidentId}/transitions`, people.analyst, body);
    for (let i = 0; answer.status === 202; i += 1) {
      answer = await stack.call('POST', `/v1/incidents/${incidentId}/approvals`, people.approvers[i]!, { event, decision: 'approve' });
    }
    expect(answer.status, `${id}: ${event}: ${JSON.stringify(answer.body)}`).toBe(200);
    stage = answer.body.stage;
  }
  expect(playbook.document.stages[stage]?.closed, `${id} ends closed`).toBe(true);
  await settle();
  const description = await handle.describe();
  const runs = await runsOf(stack, incidentId, description.runId);
  expect(runs.length, `${id} continued as new during the walk`).toBeGreaterThan(1);
  return runs;
}

function move(stack: Stack, analyst: string, incidentId: string, event: string) {
  return stack.call('POST', `/v1/incidents/${incidentId}/transitions`, analyst, { event });
}

/** Every run's history as Temporal's JSON, oldest first. */
async function runsOf(stack: Stack, workflowId: string, lastRunId: string): Promise<unknown[]> {
  const { historyToJSON } = await import('@temporalio/common/lib/proto-utils.js');
  const runs: unknown[] = [];
  let runId: string | undefined = lastRunId;
  while (runId) {
    const history = await stack.client.workflow.getHandle(workflowId, runId).fetchHistory();
    runs.unshift(JSON.parse(historyToJSON(history)));
    runId = history.events?.[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId || undefined;
  }
  return runs;
}
