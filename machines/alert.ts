/** Alerts in irflow's own form (the correlation key that routes them is in correlation.ts). Pure. */
import type { Observable } from './context.types.js';
import type { Severity } from './playbook.types.js';

export const ALERT_SOURCES = ['generic', 'wazuh', 'elastic', 'splunk', 'ocsf', 'sentinel'] as const;
export type AlertSource = (typeof ALERT_SOURCES)[number];

export interface AlertAsset {
  hostname?: string;
  ip?: string;
}

/** The generic alert format (`POST /v1/alerts/generic`); source adapters produce it too. */
export interface GenericAlert {
  sourceId: string;
  title: string;
  severity: Severity;
  detectedAt?: string;
  /** When the detected activity began, as far as the source knows (for the time to detect). */
  firstEventAt?: string;
  /** MITRE ATT&CK technique ids, e.g. `T1059.001`. */
  techniques?: string[];
  rule?: { id: string; name?: string };
  assets?: AlertAsset[];
  category?: string;
  /** Indicators the alert names, matched against threat intel (asset IPs count too). */
  observables?: Observable[];
  raw?: unknown;
}

export interface NormalisedAlert extends GenericAlert {
  source: AlertSource;
  /** MITRE ATT&CK techniques with their names where the source gives them (`techniques` holds the ids). */
  mitre?: Array<{ id: string; name?: string }>;
  /** Accounts the alert names (a correlation key may use them). */
  users?: string[];
  /** Places whose text was made storable (NUL, lone surrogates → U+FFFD) on intake. */
  normalised?: string[];
}

/** What the incident workflow learns of an alert (the raw payload stays in the database). */
export interface AlertReceived {
  alertId: string;
  source: AlertSource;
  sourceId: string;
  title: string;
  severity: Severity;
  ruleId?: string;
  category?: string;
  detectedAt?: string;
  receivedAt: string;
  hostnames?: string[];
  ips?: string[];
  observables?: Observable[];
  /** Places whose text was made storable on intake; recorded with the alert. */
  normalised?: string[];
}

/** The hosts and addresses an alert names, for context lookups. */
export function assetNames(assets: AlertAsset[] | undefined): { hostnames: string[]; ips: string[] } {
  const hostnames = new Set<string>();
  const ips = new Set<string>();
  for (const asset of assets ?? []) {
    if (asset.hostname?.trim()) hostnames.add(asset.hostname.trim().toLowerCase());
    if (asset.ip?.trim()) ips.add(asset.ip.trim());
  }
  return { hostnames: [...hostnames], ips: [...ips] };
}
