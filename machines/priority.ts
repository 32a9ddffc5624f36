/**
 * The ITIL priority: impact × urgency on the standard 3×3 matrix (P1 Critical … P5 Planning),
 * with the inputs that produced it, so an auditor sees why.
 *  - impact from the highest criticality among affected assets and their business units:
 *    critical/high → 1, medium → 2, low or unknown → 3;
 *  - urgency from severity (critical/high → 1, medium → 2, low → 3), one step more urgent for a
 *    malicious intel match with confidence ≥ 70, one step less for an active risk exception.
 */
import type { Criticality } from './context.types.js';
import type { Priority, Severity } from './playbook.types.js';

export type Level = 1 | 2 | 3;

const MATRIX: Record<Level, Record<Level, Priority>> = {
  1: { 1: 'P1', 2: 'P2', 3: 'P3' },
  2: { 1: 'P2', 2: 'P3', 3: 'P4' },
  3: { 1: 'P3', 2: 'P4', 3: 'P5' },
};

export const PRIORITY_NAMES: Record<Priority, string> = { P1: 'Critical', P2: 'High', P3: 'Moderate', P4: 'Low', P5: 'Planning' };

export interface PriorityInputs {
  severity: Severity;
  /** The highest criticality among affected assets and their business units; null when none is known. */
  highestCriticality: Criticality | null;
  /** The malicious intel match that raised urgency (indicator and confidence), if any. */
  maliciousIntel: { indicator: string; confidence: number } | null;
  /** The active risk exception that lowered urgency, if any. */
  riskException: { id: string } | null;
}

export interface PriorityReason {
  priority: Priority;
  impact: Level;
  urgency: Level;
  /** The matrix cell, e.g. `impact 1 × urgency 2 → P2 (High)`. */
  cell: string;
  inputs: PriorityInputs;
  /** Set when the playbook fixes the priority. */
  fixedBy?: string;
  /** Steps the priority was raised above its matrix cell by SLA escalations. */
  raisedSteps?: number;
}

export function impactOf(criticality: Criticality | null): Level {
  if (criticality === 'critical' || criticality === 'high') return 1;
  return criticality === 'medium' ? 2 : 3;
}

export function urgencyOf(inputs: PriorityInputs): Level {
  let urgency: number = inputs.severity === 'critical' || inputs.severity === 'high' ? 1 : inputs.severity === 'medium' ? 2 : 3;
  if (inputs.maliciousIntel) urgency -= 1;
  if (inputs.riskException) urgency += 1;
  return Math.min(3, Math.max(1, urgency)) as Level;
}

const ORDER: Priority[] = ['P1', 'P2', 'P3', 'P4', 'P5'];

/** `raisedSteps` moves the priority up from its cell (SLA escalations with raisePriority); a fixed priority stays. */
export function assessPriority(inputs: PriorityInputs, fixed?: { priority: Priority; playbook: string }, raisedSteps = 0): PriorityReason {
  const impact = impactOf(inputs.highestCriticality);
  const urgency = urgencyOf(inputs);
  const matrix = MATRIX[impact][urgency];
  const priority = fixed?.priority ?? ORDER[Math.max(0, ORDER.indexOf(matrix) - raisedSteps)]!;
  const raised = !fixed && raisedSteps > 0 ? `, raised ${raisedSteps} step(s) by SLA escalation` : '';
  const cell = fixed
    ? `fixed by playbook ${fixed.playbook} → ${priority} (${PRIORITY_NAMES[priority]})`
    : `impact ${impact} × urgency ${urgency} → ${raised ? `${matrix}${raised} → ` : ''}${priority} (${PRIORITY_NAMES[priority]})`;
  return { priority, impact, urgency, cell, inputs, ...(fixed ? { fixedBy: fixed.playbook } : {}), ...(raised ? { raisedSteps } : {}) };
}
