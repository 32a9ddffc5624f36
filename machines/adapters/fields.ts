/**
 * Reading what SIEMs send, as they send it: fields by dotted path in documents that mix flat
 * dotted keys (`"kibana.alert.uuid": …`) with nested objects, numbers sent as strings, times as
 * RFC 3339 (offsets with or without a colon) or epoch seconds or milliseconds, observables typed
 * by what they look like. Pure.
 */
import type { Observable, ObservableType } from '../context.types.js';
import type { Severity } from '../playbook.types.js';

export type Json = Record<string, unknown>;

export const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The value at a dotted path, whichever way the document spells it: `a.b.c` may be `{a: {b: {c}}}`,
 * `{"a.b.c": …}`, `{"a.b": {c}}` or `{a: {"b.c": …}}`; the longest key that exists wins at each step.
 */
export function pick(doc: unknown, path: string): unknown {
  return pickParts(doc, path.split('.'));
}

function pickParts(doc: unknown, parts: string[]): unknown {
  if (parts.length === 0) return doc;
  if (!isObject(doc)) return undefined;
  for (let take = parts.length; take >= 1; take -= 1) {
    const key = parts.slice(0, take).join('.');
    if (!Object.hasOwn(doc, key)) continue;
    const found = pickParts(doc[key], parts.slice(take));
    if (found !== undefined) return found;
  }
  return undefined;
}

/** The first of several paths that holds something. */
export function pickFirst(doc: unknown, ...paths: string[]): unknown {
  for (const path of paths) {
    const value = pick(doc, path);
    if (value !== undefined && value !== null && value !== '') return value;
  }
  return undefined;
}

/** Text from a string or a number, trimmed; undefined when empty or anything else. */
export function text(value: unknown, maxLength = 500): string | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  return trimmed ? trimmed.slice(0, maxLength) : undefined;
}

/** The longest id irflow keeps as part of a dedup key; a longer one is refused, never cut (two ids would become one). */
export const MAX_ID_LENGTH = 200;

/** An id as text: `missing`, `too-long`, or the id. */
export function identifier(value: unknown): { id?: string; fault?: 'missing' | 'too-long' } {
  const id = text(value, Number.POSITIVE_INFINITY);
  if (!id) return { fault: 'missing' };
  return id.length > MAX_ID_LENGTH ? { fault: 'too-long' } : { id };
}

/** `{category}` from a value that names one, else nothing. */
export function categoryOf(value: unknown): { category?: string } {
  const category = text(value, 100);
  return category ? { category } : {};
}

/** A number from a number or a numeric string; undefined otherwise. */
export function num(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  const parsed = Number(value.trim());
  return Number.isFinite(parsed) ? parsed : undefined;
}

/** One value or a list of them, as a list (nullish: empty). */
export function list(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

const EARLIEST = Date.UTC(1000, 0, 1);
const LATEST = Date.UTC(9999, 11, 31);

/**
 * An instant as ISO 8601 UTC, from RFC 3339 text (`+0000` offsets too), epoch milliseconds, or
 * epoch seconds (numbers below 10^11, as Splunk's `_time`); undefined when it is none of them or
 * outside the years 1000–9999.
 */
export function instant(value: unknown): string | undefined {
  let ms: number | undefined;
  const numeric = num(value);
  if (numeric !== undefined) ms = Math.abs(numeric) < 1e11 ? numeric * 1000 : numeric;
  else if (typeof value === 'string') {
    const iso = value.trim().replace(/([+-]\d{2})(\d{2})$/, '$1:$2');
    if (/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}/.test(iso)) ms = Date.parse(iso.replace(' ', 'T'));
  }
  if (ms === undefined || !Number.isFinite(ms) || ms < EARLIEST || ms > LATEST) return undefined;
  return new Date(Math.round(ms)).toISOString();
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;
const IPV6 = /^[0-9a-f:.]{2,45}$/i;
const HASH = /^([0-9a-f]{32}|[0-9a-f]{40}|[0-9a-f]{64}|[0-9a-f]{128})$/i;
const DOMAIN = /^(?=.{1,253}$)([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}\.?$/i;

export function isIp(value: string): boolean {
  return IPV4.test(value) || (value.includes(':') && IPV6.test(value));
}

/** An observable when the value looks like its type; undefined otherwise (never a guess). */
export function observable(type: ObservableType, value: unknown): Observable | undefined {
  const v = text(value, 2048);
  if (!v) return undefined;
  const ok = type === 'ip' ? isIp(v) : type === 'hash' ? HASH.test(v) : type === 'domain' ? DOMAIN.test(v) : /^[a-z][a-z0-9+.-]*:\/\/\S+$/i.test(v);
  return ok ? { type, value: type === 'hash' || type === 'domain' ? v.toLowerCase() : v } : undefined;
}

/** Observables without repeats, in order. */
export function distinctObservables(items: Array<Observable | undefined>): Observable[] {
  const seen = new Set<string>();
  const out: Observable[] = [];
  for (const o of items) {
    if (!o || seen.has(`${o.type}|${o.value}`)) continue;
    seen.add(`${o.type}|${o.value}`);
    out.push(o);
  }
  return out.slice(0, 200);
}

/** MITRE ATT&CK technique ids (`T1059`, `T1059.001`) among values; others are left out. */
export function techniqueIds(values: unknown[]): string[] {
  const ids = values.map((v) => text(v, 16)?.toUpperCase()).filter((v): v is string => Boolean(v && /^T\d{4}(\.\d{3})?$/.test(v)));
  return [...new Set(ids)].slice(0, 50);
}

/** Techniques from parallel lists of ids and names (`rule.mitre.id`, `rule.mitre.technique`), valid ids only, each once. */
export function mitreOf(ids: unknown[], names: unknown[] = []): Array<{ id: string; name?: string }> {
  const out = new Map<string, { id: string; name?: string }>();
  ids.forEach((raw, i) => {
    const [id] = techniqueIds([raw]);
    const name = text(names[i], 200);
    if (id && !out.has(id)) out.set(id, { id, ...(name ? { name } : {}) });
  });
  return [...out.values()].slice(0, 50);
}

const SEVERITY_WORDS: Record<string, Severity> = {
  informational: 'low',
  info: 'low',
  low: 'low',
  medium: 'medium',
  moderate: 'medium',
  high: 'high',
  critical: 'critical',
  urgent: 'critical',
};

/** A severity word in any case (`Informational` counts as low). */
export function severityWord(value: unknown): Severity | undefined {
  const word = text(value)?.toLowerCase();
  return word ? SEVERITY_WORDS[word] : undefined;
}

/** A score by upper bounds: `[[21, 'low'], [47, 'medium'], [73, 'high'], [Infinity, 'critical']]`. */
export function severityBand(score: number, bands: Array<[number, Severity]>): Severity {
  return bands.find(([upTo]) => score <= upTo)![1];
}

/** The largest raw payload kept with an alert; a larger one keeps its first 256 KiB as text. */
export const MAX_RAW_BYTES = 256 * 1024;

/** The payload as received, bounded: whole, or `{truncated, bytes, text}` with its first 256 KiB of JSON. */
export function boundedRaw(value: unknown): unknown {
  const json = JSON.stringify(value) ?? 'null';
  const bytes = new TextEncoder().encode(json);
  if (bytes.length <= MAX_RAW_BYTES) return value;
  const head = new TextDecoder().decode(bytes.slice(0, MAX_RAW_BYTES)).replace(/\uFFFD$/, '');
  return { truncated: true, bytes: bytes.length, text: head };
}
