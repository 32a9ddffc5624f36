/**
 * Text that Postgres can store. A JSON string may hold what no database column can: NUL
 * (U+0000, refused by `text` and `jsonb`) and lone UTF-16 surrogates (refused by `jsonb`, and
 * no Unicode text at all). Both become U+FFFD, the replacement character, and every place that
 * changed is reported, so what irflow accepted is always what it stores, and says so.
 * Free JSON is also bounded in depth: deeper documents are refused before anything recurses
 * into them. Pure.
 */

export const REPLACEMENT_CHARACTER = '\uFFFD';

/** The deepest nesting of arrays and objects accepted in free JSON (`raw`, `fields`, …). */
export const MAX_JSON_DEPTH = 64;

/** How many normalised places are listed; the count covers them all. */
const MAX_LISTED_PATHS = 20;

const SUSPECT = /[\u0000\uD800-\uDFFF]/;
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** The string with NUL and lone surrogates replaced by U+FFFD (the same string when clean). */
export function storableText(text: string): string {
  return SUSPECT.test(text) ? text.replace(UNSTORABLE, REPLACEMENT_CHARACTER) : text;
}

export class JsonTooDeepError extends Error {
  override name = 'JsonTooDeepError';
  constructor(
    readonly path: string,
    readonly maxDepth: number,
  ) {
    super(`${path || 'the document'} nests deeper than ${maxDepth} levels`);
  }
}

export interface Normalisation {
  /** Places where text was replaced (object keys count), at most 20 listed, each once. */
  paths: string[];
  /** How many places in all. */
  count: number;
}

export interface StorableOptions {
  maxDepth?: number;
  /** The path prefix reported, e.g. `body`. */
  path?: string;
  /** How a place is listed (e.g. everything inside a free payload as the payload); equal listings are listed once. */
  listAs?: (path: string) => string;
}

/**
 * A copy of a JSON value whose every string and key is storable, with the places that changed.
 * The value itself is returned when nothing changed. Throws JsonTooDeepError past `maxDepth`.
 */
export function storableJson<T>(value: T, options: StorableOptions = {}): { value: T; normalisation: Normalisation } {
  const maxDepth = options.maxDepth ?? MAX_JSON_DEPTH;
  const normalisation: Normalisation = { paths: [], count: 0 };
  const listAs = options.listAs ?? ((path: string) => path);
  const note = (path: string) => {
    normalisation.count += 1;
    const listed = listAs(path);
    if (normalisation.paths.length < MAX_LISTED_PATHS && !normalisation.paths.includes(listed)) normalisation.paths.push(listed);
  };
  const at = (path: string, key: string | number) => (path ? `${path}.${key}` : String(key));
  const visit = (node: unknown, path: string, depth: number): unknown => {
    if (typeof node === 'string') {
      const clean = storableText(node);
      if (clean !== node) note(path);
      return clean;
    }
    if (node === null || typeof node !== 'object') return node;
    if (depth >= maxDepth) throw new JsonTooDeepError(path, maxDepth);
    if (Array.isArray(node)) {
      let copy: unknown[] | undefined;
      node.forEach((item, index) => {
        const clean = visit(item, at(path, index), depth + 1);
        if (clean !== item) (copy ??= [...node])[index] = clean;
      });
      return copy ?? node;
    }
    let copy: Record<string, unknown> | undefined;
    for (const [key, item] of Object.entries(node)) {
      const cleanKey = storableText(key);
      const clean = visit(item, at(path, cleanKey), depth + 1);
      if (cleanKey !== key) note(at(path, cleanKey));
      if (cleanKey !== key || clean !== item) {
        copy ??= { ...(node as Record<string, unknown>) };
        if (cleanKey !== key) delete copy[key];
        // defineProperty: a key such as __proto__ stays a plain property.
        Object.defineProperty(copy, cleanKey, { value: clean, enumerable: true, writable: true, configurable: true });
      }
    }
    return copy ?? node;
  };
  return { value: visit(value, options.path ?? '', 0) as T, normalisation };
}
