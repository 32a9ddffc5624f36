/** Severity order and the ITIL priority matrix (impact × urgency). Pure. */
import { SEVERITIES, type Priority, type Severity } from './playbook.types.js';

export function severityRank(severity: Severity): number {
  return SEVERITIES.indexOf(severity);
}

export function highestSeverity(a: Severity, b: Severity): Severity {
  return severityRank(a) >= severityRank(b) ? a : b;
}

export type Impact = Severity;
export type Urgency = Severity;

/**
 * ITIL priority matrix. Rows: impact (business criticality of what is affected); columns:
 * urgency (from severity and intelligence), both from low to critical.
 */
const MATRIX: Record<Impact, Record<Urgency, Priority>> = {
  critical: { critical: 'P1', high: 'P1', medium: 'P2', low: 'P3' },
  high: { critical: 'P1', high: 'P2', medium: 'P3', low: 'P4' },
  medium: { critical: 'P2', high: 'P3', medium: 'P4', low: 'P4' },
  low: { critical: 'P3', high: 'P4', medium: 'P5', low: 'P5' },
};

/** Impact is `medium` until context about the affected assets says otherwise. */
export const DEFAULT_IMPACT: Impact = 'medium';

export function priorityFor(impact: Impact, urgency: Urgency): Priority {
  return MATRIX[impact][urgency];
}
