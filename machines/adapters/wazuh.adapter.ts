/**
 * Wazuh: the alert JSON an integratord script posts, an array of them, or NDJSON (`alerts.json`,
 * Filebeat, Logstash). Severity from `rule.level` by the Wazuh dashboard bands (0–6 low, 7–11
 * medium, 12–14 high, 15+ critical), given as a number, a numeric string or a Wazuh 5 Sigma word.
 * Alert ids are unique per manager only: the dedup key is the manager (or cluster node) + `id`.
 */
import type { NormalisedAlert } from '../alert.js';
import type { Severity } from '../playbook.types.js';
import { idOrProblem, oneOrMany, problem, type AdapterProblem, type SourceAdapter } from './adapter.js';
import { boundedRaw, distinctObservables, instant, isIp, list, mitreOf, num, observable, pick, pickFirst, severityBand, severityWord, text, type Json } from './fields.js';

const BANDS: Array<[number, Severity]> = [
  [6, 'low'],
  [11, 'medium'],
  [14, 'high'],
  [Number.POSITIVE_INFINITY, 'critical'],
];

function severity(level: unknown): Severity | undefined {
  const n = num(level);
  if (n !== undefined) return n >= 0 ? severityBand(n, BANDS) : undefined;
  return severityWord(level);
}

/** The agent as the asset; manager-local alerts (agent 000) have a name and no address - none is invented. */
function asset(doc: Json): NormalisedAlert['assets'] {
  const hostname = text(pick(doc, 'agent.name'), 255);
  const ip = text(pick(doc, 'agent.ip'), 64);
  const address = ip && isIp(ip) ? ip : undefined;
  if (!hostname && !address) return [];
  return [{ ...(hostname ? { hostname } : {}), ...(address ? { ip: address } : {}) }];
}

function observables(doc: Json) {
  const ips = ['data.srcip', 'data.dstip', 'data.src_ip', 'data.dst_ip'].map((path) => observable('ip', pick(doc, path)));
  const hashes = ['syscheck.sha256_after', 'syscheck.sha1_after', 'syscheck.md5_after', 'data.sha256', 'data.md5'].map((path) => observable('hash', pick(doc, path)));
  const urls = ['data.url', 'data.http.url'].map((path) => observable('url', pick(doc, path)));
  const domains = ['data.domain', 'data.dstdomain', 'data.hostname'].map((path) => observable('domain', pick(doc, path)));
  return distinctObservables([...ips, ...hashes, ...urls, ...domains]);
}

function adapt(doc: Json, at: string): NormalisedAlert | AdapterProblem[] {
  const errors: AdapterProblem[] = [];
  const id = idOrProblem(pick(doc, 'id'), at, 'id', 'the alert id Wazuh gave', errors);
  const manager = idOrProblem(pickFirst(doc, 'cluster.node', 'manager.name'), at, 'manager.name', '(or cluster.node): ids are unique per manager only', errors);
  const level = pick(doc, 'rule.level');
  const level_ = severity(level);
  if (!level_) errors.push(problem(at, 'rule.level', `is not a level: ${JSON.stringify(level)?.slice(0, 40)} (0–15+, or informational, low, medium, high, critical)`));
  const timestamp = pick(doc, 'timestamp');
  const detectedAt = timestamp === undefined ? undefined : instant(timestamp);
  if (timestamp !== undefined && !detectedAt) errors.push(problem(at, 'timestamp', 'is not a time (e.g. 2026-11-26T03:14:07.482+0000)'));
  if (errors.length > 0) return errors;
  const ruleId = text(pick(doc, 'rule.id'), 200);
  const description = text(pick(doc, 'rule.description'));
  const mitre = mitreOf(list(pick(doc, 'rule.mitre.id')), list(pick(doc, 'rule.mitre.technique')));
  const groups = list(pick(doc, 'rule.groups')).map((g) => text(g, 100)).filter(Boolean);
  return {
    source: 'wazuh',
    sourceId: `${manager}:${id}`,
    title: description ?? `Wazuh rule ${ruleId ?? 'alert'}`,
    severity: level_!,
    ...(detectedAt ? { detectedAt } : {}),
    ...(ruleId ? { rule: { id: ruleId, ...(description ? { name: description } : {}) } } : {}),
    ...(groups[0] ? { category: groups[0] } : {}),
    assets: asset(doc),
    observables: observables(doc),
    techniques: mitre.map((t) => t.id),
    mitre,
    users: [text(pick(doc, 'data.srcuser'), 200), text(pick(doc, 'data.dstuser'), 200)].filter((u): u is string => Boolean(u)),
    raw: boundedRaw(doc),
  };
}

export const wazuhAdapter: SourceAdapter = {
  source: 'wazuh',
  documents: oneOrMany,
  adapt: (doc, at) => adapt(doc as Json, at),
};
