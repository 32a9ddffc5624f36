/** Severity order. Pure. */
import { SEVERITIES, type Severity } from './playbook.types.js';

export function severityRank(severity: Severity): number {
  return SEVERITIES.indexOf(severity);
}

export function highestSeverity(a: Severity, b: Severity): Severity {
  return severityRank(a) >= severityRank(b) ? a : b;
}

export function highestOf(levels: Severity[]): Severity | null {
  return levels.reduce<Severity | null>((best, level) => (best === null ? level : highestSeverity(best, level)), null);
}
