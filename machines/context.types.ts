/**
 * Context about an incident: what the inventory, change records, risk register and threat
 * intelligence know of what it touches. Each finding carries its provenance. Types only.
 */
import type { Severity } from './playbook.types.js';
import type { ContextKind } from './playbook.types.js';

export const OBSERVABLE_TYPES = ['ip', 'domain', 'hash', 'url', 'email'] as const;
export type ObservableType = (typeof OBSERVABLE_TYPES)[number];
export interface Observable {
  type: ObservableType;
  value: string;
}

export type Criticality = Severity;

export interface AssetRecord {
  id: string;
  hostname: string;
  ips: string[];
  owner: string;
  businessUnit: string;
  businessProcess?: string;
  criticality: Criticality;
  dataClassification?: string;
}

export interface BusinessUnitRecord {
  id: string;
  name: string;
  criticality: Criticality;
  manager?: string;
  /** The notification channel of its exposure digest. */
  channel?: string;
}

export interface ChangeRecord {
  id: string;
  assetIds: string[];
  title: string;
  plannedStart: string;
  plannedEnd: string;
  status: string;
  /** The kind of change (e.g. configuration, deployment, patch), for the change-correlation report. */
  type?: string;
  /** What was changed (firewall, iam, storage, …): exposure rules match on it. */
  kind?: string;
  /** The configuration before and after the change, as the CMDB or cloud-config feed gives it. */
  before?: Record<string, unknown>;
  after?: Record<string, unknown>;
  /** Other facts of the change: environment, ticket, approved, source, … */
  attributes?: Record<string, unknown>;
}

export interface RiskExceptionRecord {
  id: string;
  assetIds?: string[];
  ruleIds?: string[];
  expiresAt: string;
  justification: string;
  owner: string;
}

export const INTEL_VERDICTS = ['malicious', 'suspicious', 'benign'] as const;
export interface IntelRecord {
  indicator: string;
  type: ObservableType;
  verdict: (typeof INTEL_VERDICTS)[number];
  confidence: number;
  source: string;
}

export interface ContextRecords {
  asset: AssetRecord;
  'business-unit': BusinessUnitRecord;
  change: ChangeRecord;
  'risk-exception': RiskExceptionRecord;
  intel: IntelRecord;
}

/** Where a finding came from: the connector, when it was fetched, how long it stays fresh (seconds). */
export interface Provenance {
  source: string;
  fetchedAt: string;
  ttl: number;
}

export type Finding<K extends ContextKind = ContextKind> = { kind: K; key: string; record: ContextRecords[K]; provenance: Provenance };

/** What a connector is asked about: the incident's facts (or only a new alert's). */
export interface LookupFacts {
  incidentId: string;
  /** When the incident was detected (first alert's detectedAt, else its creation). */
  detectedAt: string;
  hostnames: string[];
  ips: string[];
  ruleIds: string[];
  observables: Observable[];
  /** Asset and business-unit ids already known from earlier findings. */
  assetIds: string[];
  businessUnitIds: string[];
}

export interface IncidentContext {
  assets: Finding<'asset'>[];
  businessUnits: Finding<'business-unit'>[];
  changes: Finding<'change'>[];
  riskExceptions: Finding<'risk-exception'>[];
  intel: Finding<'intel'>[];
}

export const CONTEXT_SECTIONS: Record<ContextKind, keyof IncidentContext> = {
  asset: 'assets',
  'business-unit': 'businessUnits',
  change: 'changes',
  'risk-exception': 'riskExceptions',
  intel: 'intel',
};

export function emptyContext(): IncidentContext {
  return { assets: [], businessUnits: [], changes: [], riskExceptions: [], intel: [] };
}
