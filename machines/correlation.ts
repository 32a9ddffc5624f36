/**
 * Which alerts join one incident. By default: source + rule id + first asset (hostname, else ip).
 * A playbook may say otherwise in `match.correlation`: the parts of the key, from `source`,
 * `ruleId`, `asset`, `user`, `observable:<type>` (the alert's first observable of that type) and
 * `field:<path>` (a field of the payload as the source sent it, by dotted path), and a `window`:
 * an incident holds its key for that long after it claimed it; a later alert with the key opens a
 * new incident. An alert with nothing to correlate on keys on its own id. Pure.
 */
import { pick, text } from './adapters/fields.js';
import type { AlertAsset, NormalisedAlert } from './alert.js';
import { durationMs } from './sla.js';

export interface CorrelationSpec {
  key: string[];
  window?: string;
}

export const CORRELATION_PARTS = ['source', 'ruleId', 'asset', 'user'] as const;
/** A key part as the playbook schema accepts it. */
export const CORRELATION_PART_PATTERN = '^(source|ruleId|asset|user|observable:(ip|domain|url|hash)|field:[A-Za-z0-9_@.\\-]{1,200})$';

function firstAssetName(assets: AlertAsset[] | undefined): string {
  for (const asset of assets ?? []) {
    const name = asset.hostname?.trim().toLowerCase() || asset.ip?.trim();
    if (name) return name;
  }
  return '';
}

function part(alert: NormalisedAlert, name: string): string {
  if (name === 'source') return alert.source;
  if (name === 'ruleId') return alert.rule?.id.trim() ?? '';
  if (name === 'asset') return firstAssetName(alert.assets);
  if (name === 'user') return alert.users?.[0]?.trim().toLowerCase() ?? '';
  if (name.startsWith('observable:')) return alert.observables?.find((o) => o.type === name.slice('observable:'.length))?.value ?? '';
  if (name.startsWith('field:')) {
    const value = pick(alert.raw, name.slice('field:'.length));
    return typeof value === 'boolean' ? String(value) : (text(value, 500) ?? '');
  }
  return '';
}

/**
 * The key an alert correlates on: the playbook's `correlation.key` (prefixed with the playbook id,
 * so two playbooks never share a key), or the default source + rule + first asset.
 */
export function correlationKey(alert: NormalisedAlert, playbook?: { id: string; correlation?: CorrelationSpec }): string {
  const spec = playbook?.correlation;
  if (!spec) {
    const rule = part(alert, 'ruleId');
    const asset = part(alert, 'asset');
    if (!rule && !asset) return `${alert.source}|id:${alert.sourceId}`;
    return `${alert.source}|rule:${rule}|asset:${asset}`;
  }
  const values = spec.key.map((name) => [name, part(alert, name)] as const);
  if (values.every(([name, value]) => name === 'source' || !value)) return `${alert.source}|id:${alert.sourceId}`;
  return `pb:${playbook.id}|${values.map(([name, value]) => `${name}=${value}`).join('|')}`;
}

/** How long an incident holds a key, in ms; undefined when the playbook sets no window (until it closes). */
export function correlationWindowMs(spec: CorrelationSpec | undefined): number | undefined {
  return spec?.window ? durationMs(spec.window) : undefined;
}
