/**
 * A SIEM adapter turns what one source sends, unchanged, into irflow's alerts, or into errors
 * that name the source field at fault. Pure: payload in, alerts or located errors out. The whole
 * body is adapted before anything is stored, so one bad alert rejects the request.
 */
import type { AlertSource, NormalisedAlert } from '../alert.js';
import { identifier, isObject, MAX_ID_LENGTH } from './fields.js';

export interface AdapterProblem {
  /** Where in the body: `[3].rule.level`, `line 7`, `alerts[2].kibana.alert.uuid`. */
  path: string;
  message: string;
}

/** One alert document of a body, and where it stands in it. */
export interface Located {
  at: string;
  doc: unknown;
}

export interface SourceAdapter {
  source: AlertSource;
  /** The alert documents a parsed body holds (one, an array, a wrapper such as `{alerts: [...]}`). */
  documents(body: unknown): Located[] | AdapterProblem[];
  /** One document as an alert, or what is wrong with it. */
  adapt(doc: unknown, at: string): NormalisedAlert | AdapterProblem[];
}

export type Adapted = { ok: true; alerts: NormalisedAlert[]; single: boolean } | { ok: false; errors: AdapterProblem[]; tooMany?: boolean };

/** Makes one document storable before it is adapted: the document, and the places changed in it. */
export type CleanDocument = (doc: unknown, at: string) => { doc: unknown; normalised: string[] };

export const problem = (at: string, field: string, message: string): AdapterProblem => ({ path: at ? `${at}.${field}` : field, message });

/** An id field of the dedup key, or its problem: `required: <what it is>`, or too long. */
export function idOrProblem(value: unknown, at: string, field: string, what: string, errors: AdapterProblem[]): string | undefined {
  const { id, fault } = identifier(value);
  if (fault === 'missing') errors.push(problem(at, field, `is required: ${what}`));
  if (fault === 'too-long') errors.push(problem(at, field, `is longer than ${MAX_ID_LENGTH} characters`));
  return id;
}

/** The documents of a body that is one object or an array of them. */
export function oneOrMany(body: unknown): Located[] | AdapterProblem[] {
  if (Array.isArray(body)) return body.map((doc, i) => ({ at: `[${i}]`, doc }));
  if (isObject(body)) return [{ at: '', doc: body }];
  return [{ path: '', message: 'send a JSON object or an array of them' }];
}

/**
 * A body's text as JSON, or as NDJSON (one JSON document a line, blank lines skipped) when the
 * whole is not JSON. A line that is not JSON rejects the body, naming the line.
 */
export function parsePayload(text: string): { ok: true; value: unknown } | { ok: false; errors: AdapterProblem[] } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    // not one JSON document: NDJSON?
  }
  const docs: Located[] = [];
  const lines = text.split(/\r?\n/);
  for (const [index, line] of lines.entries()) {
    if (!line.trim()) continue;
    try {
      docs.push({ at: `line ${index + 1}`, doc: JSON.parse(line) as unknown });
    } catch (error) {
      return { ok: false, errors: [{ path: `line ${index + 1}`, message: `not JSON: ${error instanceof Error ? error.message.slice(0, 200) : 'unreadable'}` }] };
    }
  }
  if (docs.length === 0) return { ok: false, errors: [{ path: '', message: 'the body holds no alert' }] };
  return { ok: true, value: new NdjsonLines(docs) };
}

/** Documents read from NDJSON, located by line number. */
export class NdjsonLines {
  constructor(readonly lines: Located[]) {}
}

/**
 * Adapts a whole body: every document, every error, at most `max` alerts (repeats within it
 * included). `single` when the body was one alert document rather than a list of them.
 */
export function adaptBody(adapter: SourceAdapter, body: unknown, max: number, clean?: CleanDocument): Adapted {
  const located = body instanceof NdjsonLines ? body.lines : adapter.documents(body);
  if (located.length > 0 && 'message' in located[0]!) return { ok: false, errors: located as AdapterProblem[] };
  const docs = located as Located[];
  if (docs.length === 0) return { ok: false, errors: [{ path: '', message: 'the body holds no alert' }] };
  if (docs.length > max) return { ok: false, tooMany: true, errors: [{ path: '', message: `at most ${max} alerts per request; this one holds ${docs.length}` }] };
  const alerts: NormalisedAlert[] = [];
  const errors: AdapterProblem[] = [];
  for (const located of docs) {
    if (!isObject(located.doc)) {
      errors.push({ path: located.at, message: 'an alert must be a JSON object' });
      continue;
    }
    const { doc, normalised } = clean ? clean(located.doc, located.at) : { doc: located.doc, normalised: [] };
    const adapted = adapter.adapt(doc, located.at);
    if (Array.isArray(adapted)) errors.push(...adapted);
    else alerts.push(normalised.length > 0 ? { ...adapted, normalised } : adapted);
  }
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, alerts, single: !(body instanceof NdjsonLines) && docs.length === 1 && docs[0]!.at === '' };
}
