/**
 * Splunk, as its built-in webhook alert action posts: `{sid, search_name, app, owner,
 * results_link, result}`, every `result` value a string, `search_name` null for an ad-hoc search.
 * In "for each result" mode every row is a POST of its own with the same `sid`, so the dedup key is
 * `sid` + a hash of the row: two rows are two alerts, a resend of one row is a repeat. Severity from
 * the row's `severity`, `urgency` or `risk_score` (any case), else medium. Field names are the
 * Common Information Model's (`dest`, `src_ip`, `user`, `file_hash`, `url`, `query`).
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import type { NormalisedAlert } from '../alert.js';
import { canonicalJson } from '../canonical-json.js';
import type { Severity } from '../playbook.types.js';
import { idOrProblem, oneOrMany, problem, type AdapterProblem, type SourceAdapter } from './adapter.js';
import { boundedRaw, categoryOf, distinctObservables, instant, isIp, isObject, list, mitreOf, num, observable, pick, pickFirst, severityBand, severityWord, text, type Json } from './fields.js';

/** Risk scores as Splunk Enterprise Security shows them (0–100): 0–24 low … 80+ critical. */
const RISK_BANDS: Array<[number, Severity]> = [
  [24, 'low'],
  [49, 'medium'],
  [79, 'high'],
  [Number.POSITIVE_INFINITY, 'critical'],
];

/** The row's own severity word, urgency word or risk score, in that order; else medium. */
export function splunkSeverity(row: Json): Severity {
  const word = severityWord(pick(row, 'severity')) ?? severityWord(pick(row, 'urgency'));
  if (word) return word;
  const risk = num(pick(row, 'risk_score'));
  return risk !== undefined && risk >= 0 ? severityBand(risk, RISK_BANDS) : 'medium';
}

/** The first 32 hex digits of SHA-256 over the row's canonical JSON: equal rows, equal hashes. */
export function rowHash(row: Json): string {
  return bytesToHex(sha256(utf8ToBytes(canonicalJson(row)))).slice(0, 32);
}

/** Values of a field a search may give as one string, a multivalue array, or space/comma-separated text. */
function values(row: Json, ...paths: string[]): string[] {
  return paths.flatMap((path) => list(pick(row, path)).flatMap((v) => (typeof v === 'string' ? v.split(/[\s,;|]+/) : [text(v)]))).filter((v): v is string => Boolean(v));
}

function asset(row: Json): NormalisedAlert['assets'] {
  const name = text(pickFirst(row, 'dest_nt_host', 'dest_host', 'dest', 'dvc', 'host'), 255);
  const ip = text(pickFirst(row, 'dest_ip', 'dvc_ip'), 64);
  const hostname = name && !isIp(name) ? name : undefined;
  const address = ip && isIp(ip) ? ip : name && isIp(name) ? name : undefined;
  if (!hostname && !address) return [];
  return [{ ...(hostname ? { hostname } : {}), ...(address ? { ip: address } : {}) }];
}

function observables(row: Json) {
  const ips = values(row, 'src_ip', 'dest_ip', 'src', 'dest').map((v) => observable('ip', v));
  const hashes = values(row, 'file_hash', 'sha256', 'sha1', 'md5', 'hash').map((v) => observable('hash', v));
  const urls = values(row, 'url').map((v) => observable('url', v));
  const domains = values(row, 'query', 'domain', 'url_domain').map((v) => observable('domain', v));
  return distinctObservables([...ips, ...hashes, ...urls, ...domains]);
}

function adapt(doc: Json, at: string): NormalisedAlert | AdapterProblem[] {
  const errors: AdapterProblem[] = [];
  const sid = idOrProblem(pick(doc, 'sid'), at, 'sid', 'the search id Splunk gave', errors);
  const row = doc.result;
  if (!isObject(row)) errors.push(problem(at, 'result', 'is required: the result row, an object'));
  if (errors.length > 0) return errors;
  const result = row as Json;
  const time = pick(result, '_time');
  const detectedAt = time === undefined ? undefined : instant(time);
  if (time !== undefined && !detectedAt) errors.push(problem(at, 'result._time', 'is not a time (epoch seconds or RFC 3339)'));
  if (errors.length > 0) return errors;
  const searchName = text(pick(doc, 'search_name'));
  const ruleName = searchName ?? text(pickFirst(result, 'rule_name', 'search_name', 'savedsearch_name'));
  // Technique ids wherever a search put them: a field of their own, or ES annotations as text or JSON.
  const techniqueText = ['annotations.mitre_attack', 'annotations', 'mitre_attack', 'mitre_technique_id', 'technique_id'].flatMap((path) => list(pick(result, path)).map((v) => (typeof v === 'string' ? v : JSON.stringify(v) ?? '')));
  const mitre = mitreOf(techniqueText.flatMap((t) => t.slice(0, 10_000).match(/\bT\d{4}(?:\.\d{3})?\b/g) ?? []));
  const users = [...new Set(values(result, 'user', 'src_user'))].slice(0, 20);
  return {
    source: 'splunk',
    sourceId: `${sid}:${rowHash(result)}`,
    title: text(pickFirst(result, 'rule_title', 'title', 'signature')) ?? ruleName ?? `Splunk search ${sid}`,
    severity: splunkSeverity(result),
    ...(detectedAt ? { detectedAt } : {}),
    ...(ruleName ? { rule: { id: ruleName, name: ruleName } } : {}),
    ...categoryOf(pick(result, 'category')),
    assets: asset(result),
    observables: observables(result),
    techniques: mitre.map((t) => t.id),
    mitre,
    users,
    raw: boundedRaw(doc),
  };
}

export const splunkAdapter: SourceAdapter = {
  source: 'splunk',
  documents: oneOrMany,
  adapt: (doc, at) => adapt(doc as Json, at),
};
