/**
 * Intake through each SIEM adapter against the generic route, in the same run: 500 alerts on 100
 * hosts (5 each) in one request, as each source sends a batch - Wazuh as NDJSON, Elastic as a
 * connector summary `{"alerts": [...]}`, OCSF and Sentinel as arrays, Splunk as an array of
 * webhook bodies (Splunk itself posts one row per request; a relay batches them) - and the same
 * 500 alerts in the generic form. Alerts/s from the request to its 202 (adapting, storing,
 * delivering), median of the runs, the worker idle before each; and parsing + adapting alone.
 */
import { SOURCE_ADAPTERS, adaptBody, parsePayload, type SiemSource } from '../machines/adapters/index.js';
import { storableJson } from '../machines/storable.js';
import { elasticAlert, ocsfFinding, sentinelTrigger, splunkWebhook, wazuhAlert } from '../test/support/siem-payloads.js';

export const ADAPTER_ALERTS = 500;
const HOSTS = 100;

export interface Body {
  contentType: string;
  text: string;
}

const host = (run: string, i: number) => `${run}-h${i % HOSTS}`;
const indexes = () => Array.from({ length: ADAPTER_ALERTS }, (_, i) => i);

/** The body each source would send for 500 alerts of run `run`. */
export function sourceBody(source: SiemSource | 'generic', run: string): Body {
  const json = (value: unknown): Body => ({ contentType: 'application/json', text: JSON.stringify(value) });
  switch (source) {
    case 'wazuh':
      return { contentType: 'application/x-ndjson', text: indexes().map((i) => JSON.stringify(wazuhAlert({ id: `${run}-${i}`, agent: { id: String(i % HOSTS), name: host(run, i), ip: `10.1.${i % HOSTS}.1` } }))).join('\n') };
    case 'elastic':
      return json({ alerts: indexes().map((i) => ({ ...elasticAlert({ uuid: `${run}-${i}` }), host: { name: host(run, i) } })) });
    case 'splunk':
      return json(indexes().map((i) => splunkWebhook({ sid: `${run}-sid`, result: { _time: String(1764000000 + i), dest: host(run, i), src_ip: '203.0.113.77', urgency: 'high', row: String(i) } })));
    case 'ocsf':
      return json(indexes().map((i) => ({ ...ocsfFinding({ uid: `${run}-${i}` }), device: { hostname: host(run, i) } })));
    case 'sentinel':
      return json(indexes().map((i) => {
        const trigger = sentinelTrigger({ name: `${run}-${i}` });
        const entities = [{ kind: 'Host', properties: { hostName: host(run, i) } }, ...trigger.object.properties.relatedEntities.slice(1)];
        return { ...trigger, object: { ...trigger.object, properties: { ...trigger.object.properties, relatedEntities: entities } } };
      }));
    case 'generic':
      return json(indexes().map((i) => ({ sourceId: `${run}-${i}`, title: 'Beacon', severity: 'high', rule: { id: 'c2-beacon' }, assets: [{ hostname: host(run, i) }], observables: [{ type: 'ip', value: '203.0.113.77' }] })));
  }
}

export const ADAPTER_SOURCES: Array<SiemSource | 'generic'> = ['generic', 'wazuh', 'elastic', 'splunk', 'ocsf', 'sentinel'];

/** Alerts/s of parsing a 500-alert body and adapting it (each document made storable), in this process, best of 5. */
export function adaptingRate(source: SiemSource): number {
  const body = sourceBody(source, 'cpu');
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 5; i += 1) {
    const start = performance.now();
    const parsed = parsePayload(body.text);
    const adapted = parsed.ok && adaptBody(SOURCE_ADAPTERS[source], parsed.value, ADAPTER_ALERTS, (doc) => ({ doc: storableJson(doc).value, normalised: [] }));
    if (!adapted || !adapted.ok) throw new Error(`the ${source} bench body does not adapt`);
    best = Math.min(best, performance.now() - start);
  }
  return ADAPTER_ALERTS / (best / 1000);
}
