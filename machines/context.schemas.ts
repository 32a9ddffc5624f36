/**
 * JSON Schemas of context records, by kind: they validate bulk imports (row-level errors) and
 * the answers of HTTP connectors. Validation uses Ajv; the API and the activities share it.
 */
import { Ajv, type ErrorObject } from 'ajv';
import { INTEL_VERDICTS, OBSERVABLE_TYPES, type ContextRecords } from './context.types.js';
import { SEVERITIES, type ContextKind } from './playbook.types.js';

const id = { type: 'string', minLength: 1, maxLength: 200 } as const;
const text = { type: 'string', minLength: 1, maxLength: 1000 } as const;
const time = { type: 'string', format: 'date-time' } as const;
const ids = { type: 'array', maxItems: 1000, items: id } as const;
const criticality = { enum: [...SEVERITIES] } as const;

export const CONTEXT_RECORD_SCHEMAS: Record<ContextKind, object> = {
  asset: {
    type: 'object',
    additionalProperties: false,
    required: ['id', 'hostname', 'ips', 'owner', 'businessUnit', 'criticality'],
    properties: {
      id,
      hostname: text,
      ips: { type: 'array', maxItems: 100, items: { type: 'string', minLength: 2, maxLength: 64 } },
      owner: text,
      businessUnit: id,
      businessProcess: text,
      criticality,
      dataClassification: text,
    },
  },
  'business-unit': {
    type: 'object',
    additionalProperties: false,
    required: ['id', 'name', 'criticality'],
    properties: { id, name: text, criticality, manager: text, channel: { type: 'string', pattern: '^[A-Za-z0-9_.@-]{1,100}$' } },
  },
  change: {
    type: 'object',
    additionalProperties: false,
    required: ['id', 'assetIds', 'title', 'plannedStart', 'plannedEnd', 'status'],
    properties: {
      id,
      assetIds: { ...ids, minItems: 1 },
      title: text,
      plannedStart: time,
      plannedEnd: time,
      status: text,
      type: text,
      kind: { type: 'string', pattern: '^[a-z0-9][a-z0-9_.-]*$', maxLength: 64 },
      before: { type: 'object' },
      after: { type: 'object' },
      attributes: { type: 'object' },
    },
  },
  'risk-exception': {
    type: 'object',
    additionalProperties: false,
    required: ['id', 'expiresAt', 'justification', 'owner'],
    anyOf: [{ required: ['assetIds'] }, { required: ['ruleIds'] }],
    properties: { id, assetIds: ids, ruleIds: ids, expiresAt: time, justification: { type: 'string', minLength: 1, maxLength: 10000 }, owner: text },
  },
  intel: {
    type: 'object',
    additionalProperties: false,
    required: ['indicator', 'type', 'verdict', 'confidence', 'source'],
    properties: {
      indicator: { type: 'string', minLength: 1, maxLength: 2048 },
      type: { enum: [...OBSERVABLE_TYPES] },
      verdict: { enum: [...INTEL_VERDICTS] },
      confidence: { type: 'integer', minimum: 0, maximum: 100 },
      source: text,
    },
  },
};

const ajv = new Ajv({ allErrors: true, strict: false });
// `date-time` without ajv-formats: an RFC 3339 date-time that Date can read.
ajv.addFormat('date-time', (value: string) => /^[1-9]\d{3}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(value) && !Number.isNaN(Date.parse(value)));
const validators = Object.fromEntries(Object.entries(CONTEXT_RECORD_SCHEMAS).map(([kind, schema]) => [kind, ajv.compile(schema)])) as Record<
  ContextKind,
  ReturnType<typeof ajv.compile>
>;

export interface RowError {
  /** `[index].field`, e.g. `[3].criticality`. */
  path: string;
  message: string;
}

function message(error: ErrorObject): { suffix: string; message: string } {
  if (error.keyword === 'additionalProperties') return { suffix: `.${String(error.params.additionalProperty)}`, message: 'unknown field' };
  if (error.keyword === 'required') return { suffix: `.${String(error.params.missingProperty)}`, message: 'is required' };
  if (error.keyword === 'enum') return { suffix: '', message: `must be one of ${(error.params.allowedValues as unknown[]).join(', ')}` };
  if (error.keyword === 'anyOf') return { suffix: '', message: 'needs assetIds or ruleIds' };
  return { suffix: '', message: error.message ?? 'is invalid' };
}

/** The key a record is upserted and de-duplicated by. */
export function contextKey(kind: ContextKind, record: ContextRecords[ContextKind]): string {
  return kind === 'intel' ? `${(record as ContextRecords['intel']).type}:${(record as ContextRecords['intel']).indicator.toLowerCase()}` : (record as { id: string }).id;
}

/** Every row-level error of a batch: schema errors, and ids given twice. */
export function validateContextRows(kind: ContextKind, rows: unknown[]): RowError[] {
  const validate = validators[kind];
  const errors: RowError[] = [];
  const seen = new Map<string, number>();
  rows.forEach((row, index) => {
    if (!validate(row)) {
      for (const error of validate.errors ?? []) {
        if (error.keyword === 'required' && error.schemaPath.includes('anyOf')) continue;
        const { suffix, message: text } = message(error);
        errors.push({ path: `[${index}]${error.instancePath.replace(/\//g, '.')}${suffix}`, message: text });
      }
      return;
    }
    const key = contextKey(kind, row as ContextRecords[ContextKind]);
    const first = seen.get(key);
    if (first !== undefined) errors.push({ path: `[${index}]`, message: `duplicates row ${first} (${key})` });
    else seen.set(key, index);
  });
  return errors;
}
