/**
 * Validates a playbook document and reports every error with its path, not only the first:
 * structure against the JSON Schema, then the cross-references a schema cannot express
 * (unknown targets, unreachable stages, dead ends, duplicate events, calendars).
 */
import { Ajv, type ErrorObject } from 'ajv';
import { LineCounter, parseDocument } from 'yaml';
import { playbookJsonSchema } from './playbook.schema.js';
import type { PlaybookDocument, TransitionDefinition } from './playbook.types.js';
import { isKnownTimeZone } from './calendar.js';
import { JsonTooDeepError, storableJson } from './storable.js';
import { transitionsFrom } from './procedure.js';

export interface PlaybookError {
  /** Dotted path into the document, e.g. `stages.triage.on.close.to`; empty for the root. */
  path: string;
  message: string;
}

export type PlaybookValidation =
  /** `normalised`: places whose text was made storable (NUL, lone surrogates → U+FFFD). */
  | { ok: true; playbook: PlaybookDocument; normalised?: string[] }
  | { ok: false; errors: PlaybookError[] };

/** How many aliases a YAML document may expand; more is refused as a resource exhaustion attack. */
export const MAX_YAML_ALIASES = 100;

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

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
const objectEntries = (value: unknown): Array<[string, Json]> => (isObject(value) ? Object.entries(value).filter((e): e is [string, Json] => isObject(e[1])) : []);
const transitionsOf = (value: unknown) => Object.fromEntries(objectEntries(value).filter(([, t]) => typeof t.to === 'string')) as unknown as Record<string, TransitionDefinition>;

/**
 * The parts of a document well-formed enough to check references in, whatever else is wrong with
 * it: the structural errors are reported on their own, and the references of the rest still are.
 */
function checkable(doc: unknown): PlaybookDocument {
  const root = isObject(doc) ? doc : {};
  const stages = Object.fromEntries(
    objectEntries(root.stages).map(([name, stage]) => [
      name,
      {
        ...stage,
        on: transitionsOf(stage.on),
        returnOn: typeof stage.returnOn === 'string' ? stage.returnOn : undefined,
        closed: stage.closed === true,
        sla: isObject(stage.sla) ? stage.sla : undefined,
        escalation: Array.isArray(stage.escalation) ? stage.escalation : undefined,
        tasks: Array.isArray(stage.tasks) ? stage.tasks.filter((t): t is Json => isObject(t) && typeof t.id === 'string') : undefined,
      },
    ]),
  );
  return {
    ...(root as object),
    initial: typeof root.initial === 'string' ? root.initial : '',
    on: transitionsOf(root.on),
    stages,
    slas: Object.fromEntries(objectEntries(root.slas)),
    calendars: Object.fromEntries(objectEntries(root.calendars)),
  } as unknown as PlaybookDocument;
}

function calendarErrors(playbook: PlaybookDocument): PlaybookError[] {
  const errors: PlaybookError[] = [];
  for (const [name, calendar] of Object.entries(playbook.calendars ?? {})) {
    if (typeof calendar.timezone === 'string' && calendar.timezone && !isKnownTimeZone(calendar.timezone)) {
      errors.push({ path: `calendars.${name}.timezone`, message: `is not a time zone this service knows (IANA names such as Europe/Berlin): ${calendar.timezone}` });
    }
    if (typeof calendar.from === 'string' && calendar.from === calendar.to) {
      errors.push({ path: `calendars.${name}.to`, message: 'must differ from from (a window closing before it opens runs overnight)' });
    }
  }
  return errors;
}

function referenceErrors(playbook: PlaybookDocument): PlaybookError[] {
  const errors: PlaybookError[] = [];
  const stages = playbook.stages;
  const has = (stage: string) => Object.hasOwn(stages, stage);

  if (playbook.initial && !has(playbook.initial)) errors.push({ path: 'initial', message: `names no stage: ${playbook.initial}` });
  for (const [event, t] of Object.entries(playbook.on ?? {})) {
    if (!has(t.to)) errors.push({ path: `on.${event}.to`, message: `names no stage: ${t.to}` });
    else if (stages[t.to]!.closed) errors.push({ path: `on.${event}.to`, message: 'a transition from every open stage may not close incidents' });
  }
  if (Object.keys(stages).length > 0 && !Object.values(stages).some((s) => s.closed)) errors.push({ path: 'stages', message: 'no stage is marked closed: true' });

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
    const calendar = definition.sla?.calendar;
    if (typeof calendar === 'string' && !Object.hasOwn(playbook.calendars ?? {}, calendar)) {
      errors.push({ path: `${base}.sla.calendar`, message: `names no calendar: ${calendar}` });
    }
    if (definition.escalation && !definition.sla) errors.push({ path: `${base}.escalation`, message: 'an escalation ladder needs an sla' });
    if (!definition.closed && transitionsFrom(playbook, stage).length === 0) {
      errors.push({ path: base, message: 'an open stage needs a way out (on, returnOn or a top-level transition)' });
    }
  }
  for (const [clock, targets] of Object.entries(playbook.slas ?? {})) {
    if (typeof targets.calendar === 'string' && !Object.hasOwn(playbook.calendars ?? {}, targets.calendar)) {
      errors.push({ path: `slas.${clock}.calendar`, message: `names no calendar: ${targets.calendar}` });
    }
  }
  if (has(playbook.initial)) {
    const reached = reachableStages(playbook);
    for (const stage of Object.keys(stages)) {
      if (!reached.has(stage)) errors.push({ path: `stages.${stage}`, message: `unreachable from initial stage ${playbook.initial}` });
    }
  }
  return [...errors, ...calendarErrors(playbook), ...taskErrors(playbook)];
}

/** Task ids are unique in a playbook, and a gate requires only tasks some stage creates. */
function taskErrors(playbook: PlaybookDocument): PlaybookError[] {
  const errors: PlaybookError[] = [];
  const declared = new Set<string>();
  for (const [stage, definition] of Object.entries(playbook.stages)) {
    (definition.tasks ?? []).forEach((task, i) => {
      if (declared.has(task.id)) errors.push({ path: `stages.${stage}.tasks.${i}.id`, message: `duplicate task id: ${task.id}` });
      declared.add(task.id);
    });
  }
  const gates: Array<[string, TransitionDefinition]> = [
    ...Object.entries(playbook.on ?? {}).map(([event, t]): [string, TransitionDefinition] => [`on.${event}`, t]),
    ...Object.entries(playbook.stages).flatMap(([stage, d]) => Object.entries(d.on ?? {}).map(([event, t]): [string, TransitionDefinition] => [`stages.${stage}.on.${event}`, t])),
  ];
  for (const [path, t] of gates) {
    const required = Array.isArray(t.requires?.tasks) ? t.requires.tasks : [];
    required.forEach((id, i) => {
      if (!declared.has(id)) errors.push({ path: `${path}.requires.tasks.${i}`, message: `names no task a stage creates: ${id}` });
    });
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
      if (t.origin === 'return' || reached.has(t.to) || !Object.hasOwn(playbook.stages, t.to)) continue;
      reached.add(t.to);
      queue.push(t.to);
    }
  }
  return reached;
}

/** Validates a parsed document (from JSON or YAML): structure and references, every error in one answer. */
export function validatePlaybook(doc: unknown): PlaybookValidation {
  const errors = [...structuralErrors(doc), ...referenceErrors(checkable(doc))];
  return errors.length > 0 ? { ok: false, errors } : { ok: true, playbook: doc as PlaybookDocument };
}

/** Parses YAML (a superset of JSON) and validates it; syntax errors come back with their line. */
/** A YAML document as JSON: its syntax errors (with lines), or its storable value. */
export function parseYamlDocument(text: string): { ok: true; value: unknown; normalised: string[] } | { ok: false; errors: PlaybookError[] } {
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
  let doc: unknown;
  try {
    // Aliases expand to at most 100 nodes each (the yaml library's guard against alias bombs).
    doc = parsed.toJS({ maxAliasCount: MAX_YAML_ALIASES });
  } catch (error) {
    const reason = error instanceof RangeError ? 'the document nests too deeply' : error instanceof Error ? error.message : String(error);
    return { ok: false, errors: [{ path: '', message: `the YAML cannot be expanded: ${reason}` }] };
  }
  try {
    const { value, normalisation } = storableJson(doc);
    return { ok: true, value, normalised: normalisation.count > 0 ? normalisation.paths : [] };
  } catch (error) {
    if (!(error instanceof JsonTooDeepError)) throw error;
    return { ok: false, errors: [{ path: error.path, message: `nests deeper than ${error.maxDepth} levels` }] };
  }
}

export function parsePlaybook(text: string): PlaybookValidation {
  const parsed = parseYamlDocument(text);
  if (!parsed.ok) return parsed;
  const result = validatePlaybook(parsed.value);
  return result.ok && parsed.normalised.length > 0 ? { ...result, normalised: parsed.normalised } : result;
}
