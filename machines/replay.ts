/**
 * Re-runs the lifecycle machine of a pinned playbook version over an audit log's accepted
 * events: every recorded transition must have been allowed from the stage it left, its gate met
 * at that moment (fields known then, checklist ticked, approvers under the two-person rule:
 * replay.approvals.ts), and lead where it was
 * recorded to lead. Pure: the audit log is data.
 */
import { initialTransition, transition } from 'xstate';
import type { AuditEvent } from './incident.types.js';
import { buildLifecycleMachine, type LifecycleEvent } from './lifecycle.machine.js';
import type { PlaybookDocument, TransitionDefinition } from './playbook.types.js';
import { findTransition, missingProcedure, type Fields } from './procedure.js';
import { MERGED_EVENT, mergedStage } from './merge.js';
import { approvalProblems } from './replay.approvals.js';


export interface ReplayStep {
  seq: number;
  at: string;
  event: string;
  actor: string;
  from: string;
  to: string;
  gate: 'met' | 'not met';
}

export interface ReplayMismatch {
  seq: number;
  problem: string;
}

export interface MachineReplay {
  machineConsistent: boolean;
  steps: ReplayStep[];
  mismatches: ReplayMismatch[];
  finalStage: string;
}

export function replayLifecycle(playbook: PlaybookDocument, events: AuditEvent[], recordedStage?: string): MachineReplay {
  const machine = buildLifecycleMachine(playbook);
  const opened = events.find((e) => e.type === 'incident_opened');
  let [snapshot] = initialTransition(machine, { at: opened?.at ?? '' });
  const steps: ReplayStep[] = [];
  const mismatches: ReplayMismatch[] = [];
  if (!opened) mismatches.push({ seq: 1, problem: 'the log has no incident_opened event' });
  else if (opened.to !== playbook.initial) mismatches.push({ seq: opened.seq, problem: `opened in ${opened.to}, the playbook starts in ${playbook.initial}` });

  const doneTasks = new Set<string>();
  for (const e of events) {
    if (e.type === 'task_created' || e.type === 'task_updated') foldTask(doneTasks, e.data);
    if (e.type !== 'transitioned') continue;
    const data = (e.data ?? {}) as { event?: string; fields?: Fields; checklist?: string[]; approvedBy?: string[]; comment?: string };
    const stage = String(snapshot.value);
    const name = data.event ?? '?';
    if (e.from !== stage) mismatches.push({ seq: e.seq, problem: `recorded from ${e.from}, but the machine was in ${stage}` });
    const definition: TransitionDefinition | undefined = name === MERGED_EVENT && !playbook.stages[stage]?.closed ? { to: mergedStage(playbook) } : findTransition(playbook, stage, name);
    const done = [...doneTasks];
    const event: LifecycleEvent = { type: name, actor: e.actor, at: e.at, fields: data.fields, checklist: data.checklist, approvedBy: data.approvedBy, doneTasks: done, comment: data.comment };
    const missing = missingProcedure(definition?.requires, { known: snapshot.context.fields, given: data.fields, checklist: data.checklist, approvedBy: data.approvedBy, doneTasks: done });
    const approvals = approvalProblems(events, e, name, definition?.requires?.approvals);
    const allowed = Boolean(definition) && snapshot.can(event) && approvals.length === 0;
    if (!definition) mismatches.push({ seq: e.seq, problem: `${name} is not allowed in ${stage}` });
    else if (approvals.length > 0) for (const problem of approvals) mismatches.push({ seq: e.seq, problem });
    else if (!allowed) mismatches.push({ seq: e.seq, problem: `the gate of ${name} was not met: ${JSON.stringify(missing)}` });
    if (allowed) [snapshot] = transition(machine, snapshot, event);
    const to = String(snapshot.value);
    if (allowed && e.to !== to) mismatches.push({ seq: e.seq, problem: `recorded to ${e.to}, but the machine went to ${to}` });
    steps.push({ seq: e.seq, at: e.at, event: name, actor: e.actor, from: e.from ?? stage, to: e.to ?? to, gate: allowed ? 'met' : 'not met' });
  }
  const finalStage = String(snapshot.value);
  if (recordedStage !== undefined && recordedStage !== finalStage) {
    mismatches.push({ seq: events.at(-1)?.seq ?? 0, problem: `the incident is in ${recordedStage}, the machine ends in ${finalStage}` });
  }
  return { machineConsistent: mismatches.length === 0, steps, mismatches, finalStage };
}

/** Keeps the ids of done tasks as the log's task events tell them. */
function foldTask(done: Set<string>, data: unknown): void {
  const { taskId, status } = (data ?? {}) as { taskId?: string; status?: string };
  if (typeof taskId !== 'string' || typeof status !== 'string') return;
  if (status === 'done') done.add(taskId);
  else done.delete(taskId);
}

/** The replay report, the same from the API and the command line. */
export function replayReport(incidentId: string, determinism: { deterministic: boolean; error?: string; note?: string }, machine: MachineReplay) {
  return {
    incidentId,
    deterministic: determinism.deterministic,
    ...(determinism.error ? { determinismError: determinism.error } : {}),
    ...(determinism.note ? { determinismNote: determinism.note } : {}),
    ...machine,
  };
}
