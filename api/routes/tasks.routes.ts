/**
 * Tasks of an incident (through its workflow: `task_created` / `task_updated` ledger events; a
 * transition may require some to be done), tasks across incidents (`GET /v1/tasks`), and the
 * incident's timeline for people.
 */
import type { FastifyInstance } from 'fastify';
import { listTasks } from '../../db/casework.reads.js';
import type { Database } from '../../db/client.js';
import { findIncident, toIncidentView } from '../../db/incidents.reads.js';
import { incidentTimeline } from '../../db/timeline.reads.js';
import type { TaskStatus } from '../../machines/casework.js';
import type { IncidentView } from '../../machines/incident.types.js';
import type { TaskRequest } from '../../workflows/incident.messages.js';
import { actorOf, principalOf } from '../auth.js';
import { listedTask, taskChange, taskCreate, taskIdParams, taskListQuery, timelinePage, timelineQuery } from '../casework.schemas.js';
import type { IncidentCommands } from '../incident-commands.js';
import { normalisedField } from '../input-hygiene.js';
import { problems } from '../problem.js';
import { newRecordId } from '../record-ids.js';
import { authProblems, idempotencyHeader, incidentIdParams, problem } from '../schemas.js';
import { utcInstant } from '../time.schemas.js';

type TaskBody = { title: string; description?: string; assignee?: string | null; dueAt?: string | null; stage?: string };
type TaskPatch = { status?: TaskStatus; assignee?: string | null; dueAt?: string | null };

/** A due time kept in UTC; 400 for one that names no instant Postgres can read back. */
function dueInstant(dueAt: string | null | undefined): string | null {
  if (dueAt === null || dueAt === undefined) return null;
  const utc = utcInstant(dueAt);
  if (!utc) throw problems.badRequest(`dueAt ${dueAt.slice(0, 64)} is not an instant in the years 1000-9999`, [{ path: 'dueAt', message: 'is not a valid instant' }]);
  return utc;
}

/** The task in the answer; none when the answer was another request's (its Idempotency-Key sent again). */
function taskOf(view: IncidentView, taskId: string) {
  const task = view.tasks.find((t) => t.id === taskId);
  if (!task) throw problems.keyReused();
  return task;
}

export function taskRoutes(app: FastifyInstance, commands: IncidentCommands, db: Database): void {
  async function viewOf(id: string): Promise<IncidentView> {
    const row = await findIncident(db, id);
    const view = row ? toIncidentView(row) : await commands.liveView(id);
    if (!view) throw problems.notFound(`no incident ${id}`);
    return view;
  }

  app.post<{ Params: { id: string }; Body: TaskBody; Headers: { 'idempotency-key'?: string } }>(
    '/v1/incidents/:id/tasks',
    {
      schema: {
        tags: ['case work'],
        summary: 'Add a task to an incident',
        headers: idempotencyHeader,
        params: incidentIdParams,
        body: taskCreate,
        response: { 201: { $ref: 'caseTask#' }, ...authProblems, 404: problem, 409: problem, 422: problem },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const taskId = `T-${newRecordId(principal.name, request.headers['idempotency-key'])}`;
      const { title, description, assignee, stage } = request.body;
      const dueAt = dueInstant(request.body.dueAt);
      const task: TaskRequest = { op: 'add', taskId, title, ...(description ? { description } : {}), assignee: assignee ?? null, dueAt, ...(stage ? { stage } : {}), ...actorOf(principal), ...normalisedField(request) };
      const { incident } = await commands.task(request.params.id, task, request.headers['idempotency-key']);
      return reply.code(201).header('location', `/v1/incidents/${request.params.id}/tasks/${taskId}`).send(taskOf(incident, taskId));
    },
  );

  app.get<{ Params: { id: string } }>(
    '/v1/incidents/:id/tasks',
    {
      schema: {
        tags: ['case work'],
        summary: 'The tasks of an incident, in the order they were created',
        params: incidentIdParams,
        response: { 200: { type: 'object', properties: { tasks: { type: 'array', items: { $ref: 'caseTask#' } } } }, ...authProblems, 404: problem },
      },
    },
    async (request) => ({ tasks: (await viewOf(request.params.id)).tasks }),
  );

  app.patch<{ Params: { id: string; taskId: string }; Body: TaskPatch; Headers: { 'idempotency-key'?: string } }>(
    '/v1/incidents/:id/tasks/:taskId',
    {
      schema: {
        tags: ['case work'],
        summary: 'Change a task: status (open, in_progress, done, cancelled), assignee, due time',
        description: '409 when a transition waiting for approval requires the task and the change would undo it.',
        headers: idempotencyHeader,
        params: taskIdParams,
        body: taskChange,
        response: { 200: { $ref: 'caseTask#' }, ...authProblems, 404: problem, 409: problem, 422: problem },
      },
    },
    async (request) => {
      const { id, taskId } = request.params;
      const body = request.body.dueAt === undefined ? request.body : { ...request.body, dueAt: dueInstant(request.body.dueAt) };
      const change: TaskRequest = { op: 'update', taskId, ...body, ...actorOf(principalOf(request)), ...normalisedField(request) };
      const { incident } = await commands.task(id, change, request.headers['idempotency-key']);
      return taskOf(incident, taskId);
    },
  );

  app.get<{ Querystring: { assignee?: string; overdue?: boolean; status?: TaskStatus[]; limit: number } }>(
    '/v1/tasks',
    {
      schema: {
        tags: ['case work'],
        summary: 'Outstanding tasks of open incidents, due first; filter by assignee, overdue, status',
        querystring: taskListQuery,
        response: { 200: { type: 'object', properties: { tasks: { type: 'array', items: listedTask } } }, ...authProblems },
      },
    },
    async (request) => {
      const { assignee, overdue, status, limit } = request.query;
      const tasks = await listTasks(db, { limit, ...(assignee ? { assignee } : {}), ...(overdue ? { overdue } : {}), ...(status && status.length > 0 ? { status } : {}) });
      return { tasks };
    },
  );

  app.get<{ Params: { id: string }; Querystring: { after?: number; limit: number } }>(
    '/v1/incidents/:id/timeline',
    {
      schema: {
        tags: ['case work'],
        summary: 'Lifecycle, alerts, notes, tasks, approvals and SLA events as one list, oldest first',
        description: 'Each entry names its ledger seq; `after` continues from `nextAfter`.',
        params: incidentIdParams,
        querystring: timelineQuery,
        response: { 200: timelinePage, ...authProblems, 404: problem },
      },
    },
    async (request) => {
      await viewOf(request.params.id);
      const { after, limit } = request.query;
      return incidentTimeline(db, request.params.id, principalOf(request), { limit, ...(after !== undefined ? { afterSeq: after } : {}) });
    },
  );
}
