/**
 * Request validation with two Ajv instances: query strings, path parameters and headers are text
 * and may be coerced (`?limit=20` is the number 20); a JSON body is taken as typed, never coerced
 * (`"title": true` is an error, not the string "true"). Both list every error (the error body
 * keeps the first 50; see problem.ts) and know the shared schemas and the standard formats.
 *
 * Ajv turns any text JavaScript reads as a number into one: `?after=0.0`, `?limit=0x10`,
 * `?limit=1e2` and `?limit= 7` would all pass as integers. A number in a URL or a header is
 * written in decimal digits, so the text parts check that before Ajv coerces anything.
 */
import { Ajv, type AnySchema, type ErrorObject, type Options } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifyInstance } from 'fastify';

type NumberKind = 'integer' | 'number';
type Validate = ((data: unknown) => boolean) & { errors?: ErrorObject[] | null };

const DECIMAL: Record<NumberKind, RegExp> = { integer: /^-?\d+$/, number: /^-?\d+(?:\.\d+)?$/ };
const SPELLING: Record<NumberKind, string> = { integer: 'an integer in decimal digits', number: 'a number in decimal digits' };

function ajvFor(coerceTypes: Options['coerceTypes'], shared: AnySchema[]): Ajv {
  const ajv = new Ajv({ coerceTypes, useDefaults: true, removeAdditional: false, allErrors: true, addUsedSchema: false, strict: false });
  addFormats.default(ajv);
  for (const schema of shared) ajv.addSchema(schema);
  return ajv;
}

function compile(ajv: Ajv, schema: AnySchema): Validate {
  const id = typeof schema === 'object' && schema !== null && '$id' in schema ? (schema.$id as string | undefined) : undefined;
  const stored = id ? ajv.getSchema(id) : undefined;
  return stored ?? ajv.compile(schema);
}

function numberKind(property: unknown): NumberKind | undefined {
  if (typeof property !== 'object' || property === null) return undefined;
  const type = (property as { type?: unknown }).type;
  const types = Array.isArray(type) ? type : [type];
  if (types.includes('string')) return undefined;
  if (types.includes('integer')) return 'integer';
  return types.includes('number') ? 'number' : undefined;
}

/** The top-level fields of a text part (query, path, headers) that hold numbers, by name. */
export function numberFields(schema: AnySchema): Map<string, NumberKind> {
  const fields = new Map<string, NumberKind>();
  const properties = typeof schema === 'object' && schema !== null ? (schema as { properties?: unknown }).properties : undefined;
  if (typeof properties !== 'object' || properties === null) return fields;
  for (const [name, property] of Object.entries(properties)) {
    const kind = numberKind(property);
    if (kind) fields.set(name, kind);
  }
  return fields;
}

function notDecimal(data: unknown, fields: Map<string, NumberKind>): ErrorObject | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  for (const [name, kind] of fields) {
    const value = (data as Record<string, unknown>)[name];
    const texts = Array.isArray(value) ? value : [value];
    if (texts.some((text) => typeof text === 'string' && !DECIMAL[kind].test(text))) {
      return { instancePath: `/${name}`, schemaPath: `#/properties/${name}/type`, keyword: 'type', params: { type: kind }, message: `must be ${SPELLING[kind]}` };
    }
  }
  return undefined;
}

/** A text part's validator: numbers written in decimal digits first, then the schema. */
export function strictNumbers(validate: Validate, fields: Map<string, NumberKind>): Validate {
  if (fields.size === 0) return validate;
  const checked: Validate = (data) => {
    const error = notDecimal(data, fields);
    checked.errors = error ? [error] : null;
    if (error) return false;
    const valid = validate(data);
    checked.errors = validate.errors;
    return valid;
  };
  return checked;
}

/** Installs the compilers; `shared` are the schemas routes refer to by `$ref`. */
export function installValidation(app: FastifyInstance, shared: AnySchema[]): void {
  const body = ajvFor(false, shared);
  const text = ajvFor('array', shared);
  app.setValidatorCompiler(({ schema, httpPart }) => {
    if (httpPart === 'body') return compile(body, schema as AnySchema);
    return strictNumbers(compile(text, schema as AnySchema), numberFields(schema as AnySchema));
  });
}
