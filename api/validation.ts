/**
 * Request validation with two Ajv instances: query strings, path parameters and headers are text
 * and may be coerced (`?limit=20` is the number 20); a JSON body is taken as typed, never coerced
 * (`"title": true` is an error, not the string "true"). Both list every error (the error body
 * keeps the first 50; see problem.ts) and know the shared schemas and the standard formats.
 */
import { Ajv, type AnySchema, type Options } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifyInstance } from 'fastify';

function ajvFor(coerceTypes: Options['coerceTypes'], shared: AnySchema[]): Ajv {
  const ajv = new Ajv({ coerceTypes, useDefaults: true, removeAdditional: false, allErrors: true, addUsedSchema: false, strict: false });
  addFormats.default(ajv);
  for (const schema of shared) ajv.addSchema(schema);
  return ajv;
}

function compile(ajv: Ajv, schema: AnySchema) {
  const id = typeof schema === 'object' && schema !== null && '$id' in schema ? (schema.$id as string | undefined) : undefined;
  const stored = id ? ajv.getSchema(id) : undefined;
  return stored ?? ajv.compile(schema);
}

/** Installs the compilers; `shared` are the schemas routes refer to by `$ref`. */
export function installValidation(app: FastifyInstance, shared: AnySchema[]): void {
  const body = ajvFor(false, shared);
  const text = ajvFor('array', shared);
  app.setValidatorCompiler(({ schema, httpPart }) => compile(httpPart === 'body' ? body : text, schema as AnySchema));
}
