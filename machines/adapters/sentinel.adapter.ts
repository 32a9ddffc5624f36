/**
 * Microsoft Sentinel, as a Logic App posts the body of its incident trigger
 * (`{objectEventType, objectSchemaType: "Incident", object: {name, properties}}`), the incident
 * resource itself (`{id, name, properties}`), or an array of either. One Sentinel incident, with
 * its alerts and entities, is one irflow alert. The dedup key is the incident `name` (a GUID): an
 * `Update` event for an incident is a repeat of it. Severity High/Medium/Low/Informational.
 * Entities: Host → asset; Ip, Url, FileHash, DnsResolution → observables; Account → users.
 */
import type { NormalisedAlert } from '../alert.js';
import type { Observable } from '../context.types.js';
import type { Severity } from '../playbook.types.js';
import { idOrProblem, problem, type AdapterProblem, type Located, type SourceAdapter } from './adapter.js';
import { boundedRaw, categoryOf, distinctObservables, instant, isObject, list, mitreOf, observable, pick, pickFirst, text, type Json } from './fields.js';

const SEVERITIES: Record<string, Severity> = { high: 'high', medium: 'medium', low: 'low', informational: 'low' };

/** The incident of a trigger body (`object`), or the body when it is the incident. */
function incidentOf(doc: unknown): { incident: Json; at: string } | undefined {
  if (isObject(doc) && isObject(doc.object)) return { incident: doc.object, at: 'object' };
  if (isObject(doc) && isObject(doc.properties)) return { incident: doc, at: '' };
  return undefined;
}

function documents(body: unknown): Located[] | AdapterProblem[] {
  if (Array.isArray(body)) return body.map((doc, i) => ({ at: `[${i}]`, doc }));
  if (isObject(body)) return [{ at: '', doc: body }];
  return [{ path: '', message: 'send the incident trigger body, the incident, or an array of them' }];
}

/** Entities of the incident, wherever the payload puts them (`relatedEntities`, or each alert's `entities`). */
function entities(properties: Json): Json[] {
  const alerts = list(pick(properties, 'alerts'));
  return [...list(pick(properties, 'relatedEntities')), ...alerts.flatMap((a) => list(pickFirst(a, 'properties.entities', 'entities')))].filter(isObject);
}

function fromEntities(all: Json[]): Pick<NormalisedAlert, 'assets' | 'observables' | 'users'> {
  const hosts = new Map<string, { hostname: string }>();
  const found: Array<Observable | undefined> = [];
  const users = new Set<string>();
  for (const entity of all) {
    const kind = text(pickFirst(entity, 'kind', 'properties.kind', 'Type', 'type'))?.toLowerCase();
    const p = isObject(entity.properties) ? entity.properties : entity;
    if (kind === 'host') {
      const hostname = text(pickFirst(p, 'hostName', 'HostName', 'friendlyName', 'netBiosName'), 255);
      if (hostname) hosts.set(hostname.toLowerCase(), { hostname });
    } else if (kind === 'ip') found.push(observable('ip', pickFirst(p, 'address', 'Address', 'friendlyName')));
    else if (kind === 'url') found.push(observable('url', pickFirst(p, 'url', 'Url', 'friendlyName')));
    else if (kind === 'filehash') found.push(observable('hash', pickFirst(p, 'hashValue', 'Value', 'friendlyName')));
    else if (kind === 'dnsresolution') found.push(observable('domain', pickFirst(p, 'domainName', 'DomainName')));
    else if (kind === 'account') {
      const name = text(pickFirst(p, 'accountName', 'Name', 'friendlyName'), 200);
      const suffix = text(pickFirst(p, 'upnSuffix', 'UPNSuffix'), 200);
      if (name) users.add(suffix && !name.includes('@') ? `${name}@${suffix}` : name);
    }
  }
  return { assets: [...hosts.values()].slice(0, 50), observables: distinctObservables(found), users: [...users].slice(0, 20) };
}

/** Techniques named by the incident and by each of its alerts. */
function techniques(properties: Json) {
  const alerts = list(pick(properties, 'alerts'));
  const ids = [
    ...list(pick(properties, 'additionalData.techniques')),
    ...alerts.flatMap((a) => [...list(pickFirst(a, 'properties.techniques', 'techniques')), ...list(pick(a, 'properties.additionalData.techniques'))]),
  ];
  return mitreOf(ids.flatMap((v) => (typeof v === 'string' ? v.split(/[\s,]+/) : [v])));
}

function adapt(doc: unknown, at: string): NormalisedAlert | AdapterProblem[] {
  const found = incidentOf(doc);
  if (!found) return [problem(at, 'object', 'is required: the incident (a trigger body has object.name and object.properties)')];
  const base = [at, found.at].filter(Boolean).join('.');
  const { incident } = found;
  const properties = isObject(incident.properties) ? incident.properties : {};
  const errors: AdapterProblem[] = [];
  const name = idOrProblem(incident.name, base, 'name', 'the incident GUID', errors);
  const word = text(pick(properties, 'severity'))?.toLowerCase();
  const severity = word ? SEVERITIES[word] : undefined;
  if (!severity) errors.push(problem(base, 'properties.severity', 'is required: High, Medium, Low or Informational'));
  const created = pick(properties, 'createdTimeUtc');
  const detectedAt = created === undefined ? undefined : instant(created);
  if (created !== undefined && !detectedAt) errors.push(problem(base, 'properties.createdTimeUtc', 'is not a time'));
  if (errors.length > 0) return errors;
  const mitre = techniques(properties);
  const firstEventAt = instant(pick(properties, 'firstActivityTimeUtc'));
  const rule = text(list(pick(properties, 'relatedAnalyticRuleIds'))[0], 500)?.split('/').pop();
  const title = text(pick(properties, 'title')) ?? `Sentinel incident ${text(pick(properties, 'incidentNumber')) ?? name}`;
  return {
    source: 'sentinel',
    sourceId: name!,
    title,
    severity: severity!,
    ...(detectedAt ? { detectedAt } : {}),
    ...(firstEventAt && detectedAt && firstEventAt <= detectedAt ? { firstEventAt } : {}),
    ...(rule ? { rule: { id: rule, name: title } } : {}),
    ...categoryOf(list(pick(properties, 'additionalData.tactics'))[0]),
    ...fromEntities(entities(properties)),
    techniques: mitre.map((t) => t.id),
    mitre,
    raw: boundedRaw(doc),
  };
}

export const sentinelAdapter: SourceAdapter = { source: 'sentinel', documents, adapt };
