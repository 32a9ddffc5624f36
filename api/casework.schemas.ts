/** JSON Schemas of the case-work routes: notes, tasks, the timeline. */
import { MAX_NOTE_BYTES, NOTE_VISIBILITIES, TASK_STATUSES } from '../machines/casework.js';
import { TIMELINE_KINDS } from '../db/timeline.reads.js';
import { isoTime } from './schemas.js';

/** An observable an incident saw, with how many other incidents saw it. */
export const incidentObservable = {
  $id: 'incidentObservable',
  type: 'object',
  properties: { type: { type: 'string' }, value: { type: 'string' }, ioc: { type: 'boolean' }, otherIncidents: { type: 'integer' }, link: { type: 'string' } },
} as const;

/** A task of an incident (`overdue`: outstanding past its due time, judged when read). */
export const caseTask = {
  $id: 'caseTask',
  type: 'object',
  required: ['id', 'title', 'status', 'assignee', 'dueAt', 'stage', 'origin', 'overdue'],
  properties: {
    id: { type: 'string' },
    title: { type: 'string' },
    description: { type: 'string' },
    status: { type: 'string', enum: [...TASK_STATUSES] },
    assignee: { type: ['string', 'null'] },
    dueAt: { type: ['string', 'null'] },
    stage: { type: ['string', 'null'] },
    role: { type: 'string' },
    origin: { type: 'string', enum: ['playbook', 'person'] },
    createdBy: { type: 'string' },
    createdAt: isoTime,
    updatedAt: isoTime,
    overdue: { type: 'boolean' },
  },
} as const;


export const noteIdParams = {
  type: 'object',
  required: ['id', 'noteId'],
  properties: { id: { type: 'string', maxLength: 100 }, noteId: { type: 'string', pattern: '^N-[0-9a-f-]{36}$' } },
} as const;

export const taskIdParams = {
  type: 'object',
  required: ['id', 'taskId'],
  properties: { id: { type: 'string', maxLength: 100 }, taskId: { type: 'string', pattern: '^[a-z0-9][a-z0-9_-]{0,63}$|^T-[0-9a-f-]{36}$' } },
} as const;

const body = { type: 'string', minLength: 1, maxLength: MAX_NOTE_BYTES, description: `Markdown, at most ${MAX_NOTE_BYTES} bytes of UTF-8` } as const;

export const noteCreate = {
  type: 'object',
  additionalProperties: false,
  required: ['body'],
  properties: { body, visibility: { type: 'string', enum: [...NOTE_VISIBILITIES], default: 'team' } },
} as const;

export const noteEdit = { type: 'object', additionalProperties: false, required: ['body'], properties: { body } } as const;

const noteProperties = {
  id: { type: 'string' },
  incidentId: { type: 'string' },
  visibility: { type: 'string', enum: [...NOTE_VISIBILITIES] },
  author: { type: 'string' },
  authorName: { type: 'string' },
  body: { type: 'string' },
  mentions: { type: 'array', items: { type: 'string' } },
  version: { type: 'integer' },
  createdAt: isoTime,
  updatedAt: isoTime,
  deleted: { type: 'boolean' },
} as const;

export const noteView = { type: 'object', required: ['id', 'body', 'version', 'author', 'visibility'], properties: noteProperties } as const;

export const noteVersions = {
  type: 'object',
  properties: {
    note: noteView,
    versions: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          version: { type: 'integer' },
          body: { type: ['string', 'null'] },
          mentions: { type: 'array', items: { type: 'string' } },
          by: { type: 'string' },
          at: isoTime,
          seq: { type: 'integer' },
          change: { type: 'string', enum: ['added', 'edited', 'deleted'] },
        },
      },
    },
  },
} as const;

const dueAt = { anyOf: [isoTime, { type: 'null' }], description: 'when it is due (RFC 3339); null clears it' } as const;
const assignee = { type: ['string', 'null'], minLength: 1, maxLength: 100 } as const;

export const taskCreate = {
  type: 'object',
  additionalProperties: false,
  required: ['title'],
  properties: {
    title: { type: 'string', minLength: 1, maxLength: 200 },
    description: { type: 'string', maxLength: 4000 },
    assignee,
    dueAt,
    stage: { type: 'string', minLength: 1, maxLength: 64 },
  },
} as const;

export const taskChange = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: { status: { type: 'string', enum: [...TASK_STATUSES] }, assignee, dueAt },
} as const;

export const taskListQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    assignee: { type: 'string', minLength: 1, maxLength: 100 },
    overdue: { type: 'boolean' },
    status: { type: 'array', items: { type: 'string', enum: [...TASK_STATUSES] }, maxItems: 4 },
    limit: { type: 'integer', minimum: 1, maximum: 500, default: 100 },
  },
} as const;

export const listedTask = {
  type: 'object',
  properties: {
    incident: { type: 'object', properties: { id: { type: 'string' }, title: { type: 'string' }, priority: { type: 'string' }, stage: { type: 'string' } } },
    task: { $ref: 'caseTask#' },
  },
} as const;

export const timelineQuery = {
  type: 'object',
  additionalProperties: false,
  properties: { after: { type: 'integer', minimum: 0, maximum: 2_147_483_647 }, limit: { type: 'integer', minimum: 1, maximum: 500, default: 100 } },
} as const;

export const timelinePage = {
  type: 'object',
  properties: {
    entries: {
      type: 'array',
      items: {
        type: 'object',
        properties: { seq: { type: 'integer' }, at: isoTime, kind: { type: 'string', enum: [...TIMELINE_KINDS] }, type: { type: 'string' }, actor: { type: 'string' }, summary: { type: 'string' } },
      },
    },
    nextAfter: { type: ['integer', 'null'] },
  },
} as const;
