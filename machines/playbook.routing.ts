/**
 * Routing of alerts to playbooks: the playbook whose `match` holds for the alert, lowest `order`
 * first (then id, so the choice never depends on storage order); none matching → `default`.
 * Every criterion given must hold: sources, rule id globs (`*` and `?`), categories, minimum
 * severity. A playbook without `match` is never chosen by routing.
 */
import type { NormalisedAlert } from './alert.js';
import type { PlaybookDocument, PlaybookMatch } from './playbook.types.js';
import { severityRank } from './severity.js';

export const DEFAULT_PLAYBOOK_ID = 'default';

export function globToRegExp(glob: string): RegExp {
  const escaped = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${escaped}$`);
}

export function matches(match: PlaybookMatch, alert: NormalisedAlert): boolean {
  if (match.sources && !match.sources.includes(alert.source)) return false;
  if (match.ruleIds) {
    const ruleId = alert.rule?.id;
    if (!ruleId || !match.ruleIds.some((glob) => globToRegExp(glob).test(ruleId))) return false;
  }
  if (match.categories && (!alert.category || !match.categories.includes(alert.category))) return false;
  if (match.minSeverity && severityRank(alert.severity) < severityRank(match.minSeverity)) return false;
  return true;
}

/** The id of the playbook an alert starts; `default` when no playbook's match holds. */
export function routeAlert(playbooks: Array<Pick<PlaybookDocument, 'id' | 'match'>>, alert: NormalisedAlert): string {
  const candidates = playbooks
    .filter((p) => p.match && matches(p.match, alert))
    .sort((a, b) => (a.match!.order ?? Number.MAX_SAFE_INTEGER) - (b.match!.order ?? Number.MAX_SAFE_INTEGER) || (a.id < b.id ? -1 : 1));
  return candidates[0]?.id ?? DEFAULT_PLAYBOOK_ID;
}
