/**
 * Folding findings into an incident's context, what the incident already knows to look up, and
 * what the context means for the priority. Pure.
 */
import {
  CONTEXT_SECTIONS,
  type Finding,
  type IncidentContext,
  type LookupFacts,
  type Observable,
} from './context.types.js';
import type { PriorityInputs } from './priority.js';
import type { Severity } from './playbook.types.js';
import { highestOf } from './severity.js';

/** Adds findings; a finding already known with the same record is not added again. */
export function mergeFindings(context: IncidentContext, findings: Finding[]): { context: IncidentContext; added: Finding[] } {
  const next: IncidentContext = { ...context };
  const added: Finding[] = [];
  for (const finding of findings) {
    const section = CONTEXT_SECTIONS[finding.kind];
    const list = [...(next[section] as Finding[])];
    const at = list.findIndex((known) => known.key === finding.key);
    if (at >= 0 && JSON.stringify(list[at]!.record) === JSON.stringify(finding.record)) continue;
    if (at >= 0) list[at] = finding;
    else list.push(finding);
    (next as unknown as Record<string, Finding[]>)[section] = list;
    added.push(finding);
  }
  return { context: next, added };
}

/** The subject of an incident: every host, address, rule and observable its alerts named. */
export interface Subject {
  hostnames: string[];
  ips: string[];
  ruleIds: string[];
  observables: Observable[];
}

export function emptySubject(): Subject {
  return { hostnames: [], ips: [], ruleIds: [], observables: [] };
}

function union<T>(known: T[], more: T[], key: (item: T) => string): { all: T[]; fresh: T[] } {
  const seen = new Set(known.map(key));
  const fresh: T[] = [];
  for (const item of more) {
    if (seen.has(key(item))) continue;
    seen.add(key(item));
    fresh.push(item);
  }
  return { all: [...known, ...fresh], fresh };
}

/** Adds what an alert names; returns the whole subject and only what is new. */
export function extendSubject(known: Subject, more: Subject): { subject: Subject; fresh: Subject } {
  const id = (s: string) => s;
  const hostnames = union(known.hostnames, more.hostnames.map((h) => h.toLowerCase()), id);
  const ips = union(known.ips, more.ips, id);
  const ruleIds = union(known.ruleIds, more.ruleIds, id);
  const observables = union(known.observables, more.observables, (o) => `${o.type}:${o.value.toLowerCase()}`);
  return {
    subject: { hostnames: hostnames.all, ips: ips.all, ruleIds: ruleIds.all, observables: observables.all },
    fresh: { hostnames: hostnames.fresh, ips: ips.fresh, ruleIds: ruleIds.fresh, observables: observables.fresh },
  };
}

export function isEmptySubject(subject: Subject): boolean {
  return subject.hostnames.length + subject.ips.length + subject.ruleIds.length + subject.observables.length === 0;
}

export function lookupFacts(incidentId: string, detectedAt: string, subject: Subject, context: IncidentContext): LookupFacts {
  return {
    incidentId,
    detectedAt,
    ...subject,
    assetIds: context.assets.map((a) => a.record.id),
    businessUnitIds: [...new Set(context.assets.map((a) => a.record.businessUnit))],
  };
}

/** An intel match strong enough to raise urgency. */
export const MALICIOUS_CONFIDENCE = 70;

export function priorityInputs(context: IncidentContext, severity: Severity, now: string, byInstant?: () => boolean): PriorityInputs {
  const affectedUnits = new Set(context.assets.map((a) => a.record.businessUnit));
  const criticalities = [
    ...context.assets.map((a) => a.record.criticality),
    ...context.businessUnits.filter((b) => affectedUnits.has(b.record.id)).map((b) => b.record.criticality),
  ];
  const malicious = context.intel
    .filter((i) => i.record.verdict === 'malicious' && i.record.confidence >= MALICIOUS_CONFIDENCE)
    .sort((a, b) => b.record.confidence - a.record.confidence)[0];
  const exception = activeRiskExceptions(context, now, byInstant)[0];
  return {
    severity,
    highestCriticality: highestOf(criticalities),
    maliciousIntel: malicious ? { indicator: malicious.record.indicator, confidence: malicious.record.confidence } : null,
    riskException: exception ? { id: exception.record.id } : null,
  };
}

/**
 * Risk exceptions not yet expired at `now`, expiry compared as instants (`+02:00` offsets
 * included). Where comparing the text would have answered otherwise, `byInstant` is asked (the
 * workflow's patch: runs recorded before compared text).
 */
export function activeRiskExceptions(context: IncidentContext, now: string, byInstant: () => boolean = () => true) {
  return context.riskExceptions.filter((r) => {
    const asInstant = Date.parse(r.record.expiresAt) > Date.parse(now);
    const asText = r.record.expiresAt > now;
    return asInstant === asText || byInstant() ? asInstant : asText;
  });
}

export interface ContextFlags {
  /** A change touched an affected asset in the window before detection. */
  possibleChangeRelated: boolean;
  /** An unexpired risk exception covers the alert. */
  riskExceptionActive: boolean;
}

export function contextFlags(context: IncidentContext, now: string, byInstant?: () => boolean): ContextFlags {
  return { possibleChangeRelated: context.changes.length > 0, riskExceptionActive: activeRiskExceptions(context, now, byInstant).length > 0 };
}
