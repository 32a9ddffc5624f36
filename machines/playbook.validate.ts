/**
 * Validates a playbook document and reports every error with its path, not only the first:
 * structure against the JSON Schema, then the cross-references a schema cannot express
 * (unknown targets, unreachable stages, dead ends, duplicate events, calendars).
 */
import { Ajv, type ErrorObject } from 'ajv';
import { LineCounter, parseDocument } from 'yaml';
import { playbookJsonSchema } from './playbook.schema.js';
import type { PlaybookDocument } from './playbook.types.js';
import { transitionsFrom } from './procedure.js';

export interface PlaybookError {
  /** Dotted path into the document, e.g. `stages.triage.on.close.to`; empty for the root. */
  path: string;
  message: string;
}

export type PlaybookValidation = { ok: true; playbook: PlaybookDocument } | { ok: false; errors: PlaybookError[] };

const ajv = new Ajv({ allErrors: true, strict: false });
const validateStructure = ajv.compile<PlaybookDocument>(playbookJsonSchema);

function dotted(pointer: string): string {
  return pointer
    .split('/')
    .slice(1)
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .join('.');
}

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

function fromAjv(error: ErrorObject): PlaybookError {
  const path = dotted(error.instancePath);
  switch (error.keyword) {
    case 'additionalProperties':
      return { path: join(path, String(error.params.additionalProperty)), message: 'unknown key' };
    case 'required':
      return { path: join(path, String(error.params.missingProperty)), message: 'is required' };
    case 'enum':
      return { path, message: `must be one of ${(error.params.allowedValues as unknown[]).join(', ')}` };
    case 'pattern':
      return { path, message: path.endsWith('.at') ? 'must be a percentage such as 50%' : `must match ${error.params.pattern}` };
    case 'not':
      return { path, message: 'is a reserved name' };
    case 'propertyNames':
      return { path: join(path, String(error.params.propertyName)), message: 'is not a valid name (lower case letters, digits, _ and -)' };
    default:
      return { path, message: error.message ?? 'is invalid' };
  }
}

function structuralErrors(doc: unknown): PlaybookError[] {
  if (validateStructure(doc)) return [];
  const seen = new Set<string>();
  const errors: PlaybookError[] = [];
  for (const error of validateStructure.errors ?? []) {
    // propertyNames failures are also reported as a `pattern` error on an empty path: keep one.
    if (error.keyword === 'pattern' && error.propertyName !== undefined) continue;
    const converted = fromAjv(error);
    const key = `${converted.path}|${converted.message}`;
    if (!seen.has(key)) errors.push(converted), seen.add(key);
  }
  return errors;
}

function referenceErrors(playbook: PlaybookDocument): PlaybookError[] {
  const errors: PlaybookError[] = [];
  const stages = playbook.stages;
  const has = (stage: string) => Object.hasOwn(stages, stage);

  if (!has(playbook.initial)) errors.push({ path: 'initial', message: `names no stage: ${playbook.initial}` });
  for (const [event, t] of Object.entries(playbook.on ?? {})) {
    if (!has(t.to)) errors.push({ path: `on.${event}.to`, message: `names no stage: ${t.to}` });
    else if (stages[t.to]!.closed) errors.push({ path: `on.${event}.to`, message: 'a transition from every open stage may not close incidents' });
  }
  if (!Object.values(stages).some((s) => s.closed)) errors.push({ path: 'stages', message: 'no stage is marked closed: true' });

  for (const [stage, definition] of Object.entries(stages)) {
    const base = `stages.${stage}`;
    for (const [event, t] of Object.entries(definition.on ?? {})) {
      if (!has(t.to)) errors.push({ path: `${base}.on.${event}.to`, message: `names no stage: ${t.to}` });
      if (Object.hasOwn(playbook.on ?? {}, event) && !definition.closed && !definition.returnOn) {
        errors.push({ path: `${base}.on.${event}`, message: `duplicate event: ${event} is also allowed from every open stage (top-level on)` });
      }
    }
    if (definition.returnOn) {
      if (definition.closed) errors.push({ path: `${base}.returnOn`, message: 'a closed stage cannot hold work' });
      if (Object.hasOwn(definition.on ?? {}, definition.returnOn)) {
        errors.push({ path: `${base}.returnOn`, message: `duplicate event: ${definition.returnOn} is also in on` });
      }
    }
    if (definition.sla?.calendar && !Object.hasOwn(playbook.calendars ?? {}, definition.sla.calendar)) {
      errors.push({ path: `${base}.sla.calendar`, message: `names no calendar: ${definition.sla.calendar}` });
    }
    if (definition.escalation && !definition.sla) errors.push({ path: `${base}.escalation`, message: 'an escalation ladder needs an sla' });
    if (!definition.closed && has(stage) && transitionsFrom(playbook, stage).length === 0) {
      errors.push({ path: base, message: 'an open stage needs a way out (on, returnOn or a top-level transition)' });
    }
  }
  for (const [clock, targets] of Object.entries(playbook.slas ?? {})) {
    if (targets.calendar && !Object.hasOwn(playbook.calendars ?? {}, targets.calendar)) {
      errors.push({ path: `slas.${clock}.calendar`, message: `names no calendar: ${targets.calendar}` });
    }
  }
  if (has(playbook.initial) && errors.length === 0) {
    const reached = reachableStages(playbook);
    for (const stage of Object.keys(stages)) {
      if (!reached.has(stage)) errors.push({ path: `stages.${stage}`, message: `unreachable from initial stage ${playbook.initial}` });
    }
  }
  return errors;
}

/** Stages an incident can reach from `initial`; a hold stage returns to any stage that reaches it. */
export function reachableStages(playbook: PlaybookDocument): Set<string> {
  const reached = new Set<string>([playbook.initial]);
  const queue = [playbook.initial];
  while (queue.length > 0) {
    const stage = queue.shift()!;
    for (const t of transitionsFrom(playbook, stage)) {
      if (t.origin === 'return' || reached.has(t.to)) continue;
      reached.add(t.to);
      queue.push(t.to);
    }
  }
  return reached;
}

/** Validates a parsed document (from JSON or YAML). */
export function validatePlaybook(doc: unknown): PlaybookValidation {
  const structure = structuralErrors(doc);
  if (structure.length > 0) return { ok: false, errors: structure };
  const playbook = doc as PlaybookDocument;
  const references = referenceErrors(playbook);
  return references.length > 0 ? { ok: false, errors: references } : { ok: true, playbook };
}

/** Parses YAML (a superset of JSON) and validates it; syntax errors come back with their line. */
export function parsePlaybook(text: string): PlaybookValidation {
  const lines = new LineCounter();
  const parsed = parseDocument(text, { uniqueKeys: true, prettyErrors: false, lineCounter: lines });
  if (parsed.errors.length > 0) {
    return {
      ok: false,
      errors: parsed.errors.map((e) => ({
        path: '',
        message: `${e.code === 'DUPLICATE_KEY' ? 'duplicate key' : 'syntax error'} at line ${lines.linePos(e.pos[0]).line}: ${e.message.split('\n')[0]}`,
      })),
    };
  }
  return validatePlaybook(parsed.toJS());
}
