/**
 * Exposure rules: a document `{id, name, when, severity, playbook?, category?, description?,
 * enabled?}` (YAML or JSON) whose `when` is a CEL expression over `change`. Validation reports
 * every error with its path (and, in `when`, its line and column), as playbooks do.
 */
import { Ajv, type ErrorObject } from 'ajv';
import type { ChangeRecord } from './context.types.js';
import { compileExpression, MAX_EXPRESSION_LENGTH, type ChangeMatcher, type ExpressionResult } from './exposure-cel.js';
import { SEVERITIES, type Severity } from './playbook.types.js';
import { parseYamlDocument, type PlaybookError } from './playbook.validate.js';

export interface ExposureRule {
  id: string;
  name: string;
  description?: string;
  /** CEL over `change`: its id, kind, title, status, type, assetIds, plannedStart, plannedEnd, before, after, attributes. */
  when: string;
  severity: Severity;
  /** The playbook of the incidents it opens (default exposure-response). */
  playbook?: string;
  /** Their category (default exposure). */
  category?: string;
  /** False keeps the rule registered but idle (default true). */
  enabled?: boolean;
}

export const DEFAULT_EXPOSURE_PLAYBOOK = 'exposure-response';
export const DEFAULT_EXPOSURE_CATEGORY = 'exposure';

const slug = { type: 'string', pattern: '^[a-z0-9][a-z0-9-]*$', maxLength: 64 } as const;

export const exposureRuleJsonSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'irflow exposure rule',
  type: 'object',
  additionalProperties: false,
  required: ['id', 'name', 'when', 'severity'],
  properties: {
    id: slug,
    name: { type: 'string', minLength: 1, maxLength: 200 },
    description: { type: 'string', maxLength: 4000 },
    when: { type: 'string', minLength: 1, maxLength: MAX_EXPRESSION_LENGTH, description: 'a CEL expression over change that gives a bool' },
    severity: { type: 'string', enum: [...SEVERITIES] },
    playbook: slug,
    category: { type: 'string', pattern: '^[a-z0-9][a-z0-9_.-]*$', maxLength: 64 },
    enabled: { type: 'boolean' },
  },
} as const;

export type ExposureRuleValidation = { ok: true; rule: ExposureRule; normalised?: string[] } | { ok: false; errors: PlaybookError[] };

const ajv = new Ajv({ allErrors: true, strict: false });
const validateStructure = ajv.compile<ExposureRule>(exposureRuleJsonSchema);

function fromAjv(error: ErrorObject): PlaybookError {
  const path = error.instancePath.split('/').slice(1).join('.');
  if (error.keyword === 'additionalProperties') return { path: [path, String(error.params.additionalProperty)].filter(Boolean).join('.'), message: 'unknown key' };
  if (error.keyword === 'required') return { path: [path, String(error.params.missingProperty)].filter(Boolean).join('.'), message: 'is required' };
  if (error.keyword === 'enum') return { path, message: `must be one of ${(error.params.allowedValues as unknown[]).join(', ')}` };
  return { path, message: error.message ?? 'is invalid' };
}

export function validateExposureRule(document: unknown): ExposureRuleValidation {
  if (!validateStructure(document)) return { ok: false, errors: (validateStructure.errors ?? []).map(fromAjv) };
  const compiled = compileExpression(document.when);
  if (!compiled.ok) return { ok: false, errors: compiled.errors.map((e) => ({ path: 'when', message: `${e.message} (line ${e.line}, column ${e.column})` })) };
  return { ok: true, rule: document };
}

export function parseExposureRule(text: string): ExposureRuleValidation {
  const parsed = parseYamlDocument(text);
  if (!parsed.ok) return parsed;
  const result = validateExposureRule(parsed.value);
  return result.ok && parsed.normalised.length > 0 ? { ...result, normalised: parsed.normalised } : result;
}

/** What a rule's expression sees of a change: every field, before/after/attributes present (empty when not given), so `has()` works on them. */
export function changeFacts(change: ChangeRecord): Record<string, unknown> {
  return { type: null, kind: null, ...change, before: change.before ?? {}, after: change.after ?? {}, attributes: change.attributes ?? {} };
}

export interface CompiledRule {
  rule: ExposureRule;
  version: number;
  /** The change kind the rule requires (`change.kind == "…" && …`); it matches no change of another kind. */
  kind?: string;
  test(change: ChangeRecord): ExpressionResult;
}

/** Rules by the kind they require, and those that require none: what a change of a kind must meet. */
export function ruleIndex(rules: CompiledRule[]): (kind: string | undefined) => CompiledRule[] {
  const byKind = new Map<string, CompiledRule[]>();
  const any: CompiledRule[] = [];
  for (const rule of rules) {
    if (rule.kind === undefined) any.push(rule);
    else byKind.set(rule.kind, [...(byKind.get(rule.kind) ?? []), rule]);
  }
  return (kind) => (kind === undefined ? any : [...(byKind.get(kind) ?? []), ...any]);
}

/** A validated rule ready to test changes; throws on a rule that does not validate (stored rules do). */
export function compileRule(rule: ExposureRule, version: number): CompiledRule {
  const compiled = compileExpression(rule.when);
  if (!compiled.ok) throw new RangeError(`rule ${rule.id}: ${compiled.errors[0]!.message}`);
  const matcher: ChangeMatcher = compiled.matcher;
  return { rule, version, ...(compiled.kind !== undefined ? { kind: compiled.kind } : {}), test: (change) => matcher(changeFacts(change)) };
}
