/**
 * Elastic Security, as a Kibana webhook connector posts it: one alert document (or its `_source`),
 * a summary body `{"alerts": [...]}`, or a bare array. Documents mix flat dotted `kibana.alert.*`
 * keys with nested ECS objects; both forms are read. Severity from `kibana.alert.severity`, else
 * from the risk score by Elastic's bands (0–21 low, 22–47 medium, 48–73 high, 74–100 critical).
 * The dedup key is `kibana.alert.uuid` (a connector retry re-sends it with a new `@timestamp`).
 */
import type { NormalisedAlert } from '../alert.js';
import type { Severity } from '../playbook.types.js';
import { idOrProblem, problem, type AdapterProblem, type Located, type SourceAdapter } from './adapter.js';
import { boundedRaw, categoryOf, distinctObservables, instant, isIp, isObject, list, mitreOf, num, observable, pick, pickFirst, severityBand, severityWord, text, type Json } from './fields.js';

const RISK_BANDS: Array<[number, Severity]> = [
  [21, 'low'],
  [47, 'medium'],
  [73, 'high'],
  [Number.POSITIVE_INFINITY, 'critical'],
];

function documents(body: unknown): Located[] | AdapterProblem[] {
  const unwrap = (doc: unknown) => (isObject(doc) && isObject(doc._source) ? doc._source : doc);
  if (Array.isArray(body)) return body.map((doc, i) => ({ at: `[${i}]`, doc: unwrap(doc) }));
  if (isObject(body) && Array.isArray(body.alerts)) return body.alerts.map((doc, i) => ({ at: `alerts[${i}]`, doc: unwrap(doc) }));
  if (isObject(body)) return [{ at: '', doc: unwrap(body) }];
  return [{ path: '', message: 'send an alert document, {"alerts": [...]}, or an array of alert documents' }];
}

/** Techniques and sub-techniques of `kibana.alert.rule.threat` (MITRE ATT&CK entries). */
function threats(doc: Json) {
  const ids: unknown[] = [];
  const names: unknown[] = [];
  for (const threat of list(pick(doc, 'kibana.alert.rule.threat'))) {
    for (const technique of list(pick(threat, 'technique'))) {
      ids.push(pick(technique, 'id'));
      names.push(pick(technique, 'name'));
      for (const sub of list(pick(technique, 'subtechnique'))) {
        ids.push(pick(sub, 'id'));
        names.push(pick(sub, 'name'));
      }
    }
  }
  return mitreOf(ids, names);
}

function assets(doc: Json): NormalisedAlert['assets'] {
  const hostname = text(pickFirst(doc, 'host.name', 'host.hostname'), 255);
  // host.ip lists every address of the host: an IPv4 one names it best, a link-local one worst.
  const ips = list(pick(doc, 'host.ip')).map((v) => text(v, 64)).filter((v): v is string => Boolean(v && isIp(v)));
  const ip = ips.find((v) => !v.includes(':')) ?? ips.find((v) => !/^fe80:/i.test(v));
  if (!hostname && !ip) return [];
  return [{ ...(hostname ? { hostname } : {}), ...(ip ? { ip } : {}) }];
}

function observables(doc: Json) {
  const ips = ['source.ip', 'destination.ip', 'client.ip', 'server.ip'].flatMap((path) => list(pick(doc, path)).map((v) => observable('ip', v)));
  const hashes = ['file.hash.sha256', 'file.hash.sha1', 'file.hash.md5', 'process.hash.sha256'].map((path) => observable('hash', pick(doc, path)));
  const urls = [observable('url', pickFirst(doc, 'url.full', 'url.original'))];
  const domains = ['dns.question.name', 'url.domain', 'destination.domain'].map((path) => observable('domain', pick(doc, path)));
  return distinctObservables([...ips, ...hashes, ...urls, ...domains]);
}

function adapt(doc: Json, at: string): NormalisedAlert | AdapterProblem[] {
  const errors: AdapterProblem[] = [];
  const uuid = idOrProblem(pick(doc, 'kibana.alert.uuid'), at, 'kibana.alert.uuid', 'the alert id Kibana gave', errors);
  const word = pick(doc, 'kibana.alert.severity');
  const risk = num(pickFirst(doc, 'kibana.alert.risk_score', 'kibana.alert.rule.risk_score'));
  const severity = severityWord(word) ?? (risk !== undefined && risk >= 0 ? severityBand(risk, RISK_BANDS) : undefined);
  if (!severity) errors.push(problem(at, word === undefined ? 'kibana.alert.risk_score' : 'kibana.alert.severity', 'gives no severity (low, medium, high, critical, or a risk score 0–100)'));
  const when = pickFirst(doc, 'kibana.alert.original_time', '@timestamp', 'kibana.alert.start');
  const detectedAt = when === undefined ? undefined : instant(when);
  if (when !== undefined && !detectedAt) errors.push(problem(at, '@timestamp', 'is not a time'));
  if (errors.length > 0) return errors;
  const ruleId = text(pickFirst(doc, 'kibana.alert.rule.rule_id', 'kibana.alert.rule.uuid'), 200);
  const ruleName = text(pickFirst(doc, 'kibana.alert.rule.name'));
  const mitre = threats(doc);
  const firstEventAt = instant(pickFirst(doc, 'kibana.alert.original_time', 'event.start'));
  const user = text(pick(doc, 'user.name'), 200);
  return {
    source: 'elastic',
    sourceId: uuid!,
    title: text(pickFirst(doc, 'kibana.alert.reason', 'kibana.alert.rule.name', 'message')) ?? `Elastic alert ${uuid}`,
    severity: severity!,
    ...(detectedAt ? { detectedAt } : {}),
    ...(firstEventAt && detectedAt && firstEventAt <= detectedAt ? { firstEventAt } : {}),
    ...(ruleId ? { rule: { id: ruleId, ...(ruleName ? { name: ruleName } : {}) } } : {}),
    ...categoryOf(pick(doc, 'kibana.alert.rule.type')),
    assets: assets(doc),
    observables: observables(doc),
    techniques: mitre.map((t) => t.id),
    mitre,
    users: user ? [user] : [],
    raw: boundedRaw(doc),
  };
}

export const elasticAdapter: SourceAdapter = {
  source: 'elastic',
  documents,
  adapt: (doc, at) => adapt(doc as Json, at),
};
