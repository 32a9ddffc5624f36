/** SIEM bodies adapted as the routes adapt them, for pure tests. */
import { SOURCE_ADAPTERS, adaptBody, parsePayload, type SiemSource } from '../../machines/adapters/index.js';
import type { Adapted } from '../../machines/adapters/adapter.js';
import type { NormalisedAlert } from '../../machines/alert.js';
import { storableJson } from '../../machines/storable.js';

/** The body as a route takes it: text, parsed, each document made storable, adapted whole. */
export function adaptText(source: SiemSource, body: string): Adapted {
  const parsed = parsePayload(body);
  if (!parsed.ok) return { ok: false, errors: parsed.errors };
  return adaptBody(SOURCE_ADAPTERS[source], parsed.value, 500, (doc) => {
    const { value, normalisation } = storableJson(doc, { path: '' });
    return { doc: value, normalised: normalisation.paths.map((p) => p.replace(/^\./, '')) };
  });
}

export function alertsOf(source: SiemSource, body: unknown): NormalisedAlert[] {
  const adapted = adaptText(source, typeof body === 'string' ? body : JSON.stringify(body));
  if (!adapted.ok) throw new Error(JSON.stringify(adapted.errors));
  return adapted.alerts;
}

export function errorsOf(source: SiemSource, body: unknown) {
  const adapted = adaptText(source, typeof body === 'string' ? body : JSON.stringify(body));
  if (adapted.ok) throw new Error('adapted, expected errors');
  return adapted.errors;
}

