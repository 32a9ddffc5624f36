/**
 * The procedure of a stage transition: which events a stage allows, and what a gate still needs.
 * Pure functions over the playbook document; the machine's guards and the workflow's update
 * validator both ask these, so the two can never disagree.
 */
import type { PlaybookDocument, Procedure, StageDefinition, TransitionDefinition } from './playbook.types.js';

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type Fields = Record<string, JsonValue>;

/** What a gate is still missing; empty lists mean the procedure is met. */
export interface MissingProcedure {
  fields: string[];
  checklist: string[];
  /** Required tasks not done yet (open, in progress, cancelled, or not created). */
  tasks: string[];
  approvals?: { required: number; granted: number; roles: string[] };
}

export interface EffectiveTransition extends TransitionDefinition {
  event: string;
  /** `stage`: defined on the stage; `anyOpenStage`: the playbook's top-level `on`; `return`: a hold stage's way back. */
  origin: 'stage' | 'anyOpenStage' | 'return';
}

export function stageOf(playbook: PlaybookDocument, stage: string): StageDefinition {
  const definition = playbook.stages[stage];
  if (!definition) throw new RangeError(`playbook ${playbook.id} has no stage ${stage}`);
  return definition;
}

/** Every event a stage accepts, in playbook order: its own, the top-level ones, its return event. */
export function transitionsFrom(playbook: PlaybookDocument, stage: string): EffectiveTransition[] {
  const definition = stageOf(playbook, stage);
  const result: EffectiveTransition[] = [];
  for (const [event, t] of Object.entries(definition.on ?? {})) result.push({ ...t, event, origin: 'stage' });
  if (!definition.closed) {
    for (const [event, t] of Object.entries(playbook.on ?? {})) {
      if (t.to !== stage && !definition.returnOn) result.push({ ...t, event, origin: 'anyOpenStage' });
    }
  }
  if (definition.returnOn) result.push({ event: definition.returnOn, to: '', origin: 'return' });
  return result;
}

export function findTransition(playbook: PlaybookDocument, stage: string, event: string): EffectiveTransition | undefined {
  return transitionsFrom(playbook, stage).find((t) => t.event === event);
}

export function allowedEvents(playbook: PlaybookDocument, stage: string): string[] {
  return transitionsFrom(playbook, stage).map((t) => t.event);
}

function isGiven(value: JsonValue | undefined): boolean {
  if (value === undefined || value === null) return false;
  if (typeof value === 'string') return value.trim().length > 0;
  if (Array.isArray(value)) return value.length > 0;
  return true;
}

export interface GateInput {
  /** Fields already kept on the incident. */
  known: Fields;
  /** Fields given with this request. */
  given?: Fields;
  /** Checklist items ticked in this request. */
  checklist?: string[];
  /** Distinct approvers already granted for this transition. */
  approvedBy?: string[];
  /** Ids of the incident's tasks that are done. */
  doneTasks?: string[];
}

export function missingProcedure(requires: Procedure | undefined, input: GateInput): MissingProcedure {
  const merged: Fields = { ...input.known, ...(input.given ?? {}) };
  const ticked = new Set(input.checklist ?? []);
  const missing: MissingProcedure = {
    fields: (requires?.fields ?? []).filter((name) => !isGiven(merged[name])),
    checklist: (requires?.checklist ?? []).filter((item) => !ticked.has(item)),
    tasks: (requires?.tasks ?? []).filter((id) => !(input.doneTasks ?? []).includes(id)),
  };
  const approvals = requires?.approvals;
  const granted = new Set(input.approvedBy ?? []).size;
  if (approvals && granted < approvals.count) {
    missing.approvals = { required: approvals.count, granted, roles: approvals.roles };
  }
  return missing;
}

export function isProcedureMet(missing: MissingProcedure): boolean {
  return missing.fields.length === 0 && missing.checklist.length === 0 && missing.tasks.length === 0 && !missing.approvals;
}
