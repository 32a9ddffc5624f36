/**
 * Input hygiene, before any schema sees a request: text Postgres cannot store (NUL, lone
 * surrogates) becomes U+FFFD in the body, the query and the path, and the places are kept on the
 * request for the route to record; free JSON nested deeper than 64 levels, and arrays longer than
 * a route's batch limit, are refused with a 400 before anything walks them.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { JsonTooDeepError, MAX_JSON_DEPTH, storableJson, storableText, type Normalisation } from '../machines/storable.js';
import { problems } from './problem.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The longest array a route takes as its body; longer ones are refused before validation. */
    maxBatch?: number;
  }
  interface FastifyRequest {
    /** Where the body's text was normalised to be storable; absent when nothing changed. */
    normalised?: Normalisation;
  }
}

function tooDeep(error: JsonTooDeepError) {
  return problems.badRequest(`JSON may nest at most ${MAX_JSON_DEPTH} levels deep`, [{ path: error.path, message: `nests deeper than ${error.maxDepth} levels` }]);
}

/** Places inside a free payload (`raw`) are listed as the payload. */
const listAs = (path: string) => path.replace(/(^|\.)raw\..*$/, '$1raw');

/** Normalises a parsed JSON value a route received outside the body parser (e.g. parsed YAML). */
export function storableInput<T>(value: T, path: string): { value: T; normalisation: Normalisation } {
  try {
    return storableJson(value, { path, listAs });
  } catch (error) {
    if (error instanceof JsonTooDeepError) throw tooDeep(error);
    throw error;
  }
}

/** The normalised places of one element of a batch body (`body.3.title` → `title`). */
export function normalisedWithin(normalisation: Normalisation | undefined, prefix: string): string[] {
  if (!normalisation) return [];
  const start = `${prefix}.`;
  return normalisation.paths.filter((p) => p.startsWith(start)).map((p) => p.slice(start.length));
}

/** `{normalised}` for a command whose body had text made storable, else nothing. */
export function normalisedField(request: FastifyRequest): { normalised?: string[] } {
  const paths = normalisedWithin(request.normalised, 'body');
  return paths.length > 0 ? { normalised: paths } : {};
}

function scrubBody(request: FastifyRequest): void {
  const body = request.body;
  if (typeof body === 'string') {
    const clean = storableText(body);
    if (clean !== body) {
      request.body = clean;
      request.normalised = { paths: ['body'], count: 1 };
    }
    return;
  }
  if (body === null || typeof body !== 'object') return;
  const limit = request.routeOptions.config.maxBatch;
  if (limit !== undefined && Array.isArray(body) && body.length > limit) {
    throw problems.payloadTooLarge(`at most ${limit} items per request; this one has ${body.length}`);
  }
  const { value, normalisation } = storableInput(body, 'body');
  request.body = value;
  if (normalisation.count > 0) request.normalised = normalisation;
}

export function installInputHygiene(app: FastifyInstance): void {
  app.decorateRequest('normalised', undefined);
  app.addHook('preValidation', async (request) => {
    // Query strings and path parameters are not stored, but reach SQL as parameters.
    if (request.query && typeof request.query === 'object') request.query = storableInput(request.query, 'querystring').value;
    if (request.params && typeof request.params === 'object') request.params = storableInput(request.params, 'params').value;
    scrubBody(request);
  });
}
