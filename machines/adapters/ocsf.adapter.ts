/**
 * OCSF: a Detection Finding (class 2004) or a Security Finding (class 2001), or an array of them.
 * Severity from `severity_id` (1–2 low, 3 medium, 4 high, 5–6 critical; 0 Unknown and 99 Other
 * read the `severity` caption). Dedup key `finding_info.uid` (2001: `finding.uid`), else
 * `metadata.uid`. `time` is epoch milliseconds. The asset is `device`, else the first of
 * `resources[]` with a hostname or an ip. Observables by `type_id` (1 hostname, 2 ip, 4 user,
 * 6 url, 8 hash); techniques from `attacks[].technique.uid`.
 */
import type { NormalisedAlert } from '../alert.js';
import type { Observable } from '../context.types.js';
import type { Severity } from '../playbook.types.js';
import { idOrProblem, oneOrMany, problem, type AdapterProblem, type SourceAdapter } from './adapter.js';
import { boundedRaw, categoryOf, distinctObservables, instant, isIp, list, mitreOf, num, observable, pick, pickFirst, severityWord, text, type Json } from './fields.js';

export const OCSF_CLASSES = { securityFinding: 2001, detectionFinding: 2004 } as const;

const SEVERITY_IDS: Record<number, Severity> = { 1: 'low', 2: 'low', 3: 'medium', 4: 'high', 5: 'critical', 6: 'critical' };

/** `severity_id`, or for 0 (Unknown) and 99 (Other) the `severity` caption; undefined when neither says. */
export function ocsfSeverity(doc: Json): Severity | undefined {
  const id = num(pick(doc, 'severity_id'));
  if (id !== undefined && SEVERITY_IDS[id]) return SEVERITY_IDS[id];
  // Captions a producer may set: Informational, Low, Medium, High, Critical, Fatal.
  const caption = text(pick(doc, 'severity'))?.toLowerCase();
  return caption === 'fatal' ? 'critical' : severityWord(caption);
}

function endpoint(value: unknown): { hostname?: string; ip?: string } | undefined {
  const hostname = text(pickFirst(value, 'hostname', 'name'), 255);
  const ip = text(pick(value, 'ip'), 64);
  const address = ip && isIp(ip) ? ip : undefined;
  if (!hostname && !address) return undefined;
  return { ...(hostname ? { hostname } : {}), ...(address ? { ip: address } : {}) };
}

function asset(doc: Json): NormalisedAlert['assets'] {
  const found = endpoint(pick(doc, 'device')) ?? list(pick(doc, 'resources')).map(endpoint).find(Boolean);
  return found ? [found] : [];
}

const OBSERVABLE_TYPES: Record<number, Observable['type']> = { 1: 'domain', 2: 'ip', 5: 'email', 6: 'url', 8: 'hash' };

function observables(doc: Json): { observables: Observable[]; users: string[] } {
  const found: Array<Observable | undefined> = [];
  const users: string[] = [];
  for (const item of list(pick(doc, 'observables'))) {
    const typeId = num(pick(item, 'type_id'));
    if (typeId === 4) {
      const user = text(pick(item, 'value'), 200);
      if (user) users.push(user);
      continue;
    }
    const type = typeId === undefined ? undefined : OBSERVABLE_TYPES[typeId];
    if (type) found.push(observable(type, pick(item, 'value')));
  }
  for (const path of ['src_endpoint.ip', 'dst_endpoint.ip']) found.push(observable('ip', pick(doc, path)));
  return { observables: distinctObservables(found), users: [...new Set(users)].slice(0, 20) };
}

function adapt(doc: Json, at: string): NormalisedAlert | AdapterProblem[] {
  const errors: AdapterProblem[] = [];
  const classUid = num(pick(doc, 'class_uid'));
  if (classUid !== OCSF_CLASSES.detectionFinding && classUid !== OCSF_CLASSES.securityFinding) {
    errors.push(problem(at, 'class_uid', `is ${JSON.stringify(pick(doc, 'class_uid'))?.slice(0, 20)}: irflow takes Detection Findings (2004) and Security Findings (2001)`));
  }
  const finding = classUid === OCSF_CLASSES.securityFinding ? 'finding' : 'finding_info';
  const uid = idOrProblem(pickFirst(doc, `${finding}.uid`, 'finding_info.uid', 'metadata.uid'), at, `${finding}.uid`, '(or metadata.uid): the finding id', errors);
  const severity = ocsfSeverity(doc);
  if (!severity) errors.push(problem(at, 'severity_id', 'gives no severity (1–6, or 0/99 with a severity caption)'));
  const time = pickFirst(doc, 'time', 'time_dt');
  const detectedAt = time === undefined ? undefined : instant(time);
  if (time !== undefined && !detectedAt) errors.push(problem(at, 'time', 'is not a time (epoch milliseconds)'));
  if (errors.length > 0) return errors;
  const info = pick(doc, finding);
  const attacks = [...list(pick(info, 'attacks')), ...list(pick(doc, 'attacks'))];
  const mitre = mitreOf(
    attacks.flatMap((a) => [pick(a, 'technique.uid'), pick(a, 'sub_technique.uid')]),
    attacks.flatMap((a) => [pick(a, 'technique.name'), pick(a, 'sub_technique.name')]),
  );
  const ruleId = text(pickFirst(info, 'analytic.uid', 'analytic.name'), 200);
  const ruleName = text(pick(info, 'analytic.name'));
  const firstEventAt = instant(pick(info, 'first_seen_time'));
  const seen = observables(doc);
  return {
    source: 'ocsf',
    sourceId: uid!,
    title: text(pickFirst(info, 'title', 'desc')) ?? text(pick(doc, 'message')) ?? `OCSF finding ${uid}`,
    severity: severity!,
    ...(detectedAt ? { detectedAt } : {}),
    ...(firstEventAt && detectedAt && firstEventAt <= detectedAt ? { firstEventAt } : {}),
    ...(ruleId ? { rule: { id: ruleId, ...(ruleName ? { name: ruleName } : {}) } } : {}),
    ...categoryOf(list(pick(info, 'types'))[0]),
    assets: asset(doc),
    observables: seen.observables,
    techniques: mitre.map((t) => t.id),
    mitre,
    users: seen.users,
    raw: boundedRaw(doc),
  };
}

export const ocsfAdapter: SourceAdapter = {
  source: 'ocsf',
  documents: oneOrMany,
  adapt: (doc, at) => adapt(doc as Json, at),
};
