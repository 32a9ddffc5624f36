/** A stored alert as the rest of irflow sees it: the alert to route, and what its incident learns. */
import { assetNames, type AlertAsset, type AlertReceived, type AlertSource, type NormalisedAlert } from '../machines/alert.js';
import type { Observable } from '../machines/context.types.js';
import type { Severity } from '../machines/playbook.types.js';
import type { AlertRecord } from './alerts.repo.js';

/** What playbook routing looks at: source, rule, category, severity. */
export function alertOfRecord(record: AlertRecord): NormalisedAlert {
  return {
    source: record.source as AlertSource,
    sourceId: record.sourceId,
    title: record.title,
    severity: record.severity as Severity,
    ...(record.ruleId ? { rule: { id: record.ruleId, ...(record.ruleName ? { name: record.ruleName } : {}) } } : {}),
    ...(record.category ? { category: record.category } : {}),
  };
}

/** The alert as its incident's workflow receives it (the raw payload stays in the database). */
export function receivedOfRecord(record: AlertRecord): AlertReceived {
  const { hostnames, ips } = assetNames(record.assets as AlertAsset[]);
  const observables = (record.observables ?? []) as Observable[];
  return {
    ...(hostnames.length ? { hostnames } : {}),
    ...(ips.length ? { ips } : {}),
    ...(observables.length ? { observables } : {}),
    alertId: record.id,
    source: record.source as AlertSource,
    sourceId: record.sourceId,
    title: record.title,
    severity: record.severity as Severity,
    ...(record.ruleId ? { ruleId: record.ruleId } : {}),
    ...(record.category ? { category: record.category } : {}),
    ...(record.detectedAt ? { detectedAt: record.detectedAt.toISOString() } : {}),
    receivedAt: record.receivedAt.toISOString(),
    ...(record.normalised?.length ? { normalised: record.normalised } : {}),
  };
}
