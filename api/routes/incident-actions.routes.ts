/** Actions on an incident beside its transitions: approval decisions, assignment, work log. */
import type { FastifyInstance } from 'fastify';
import type { Database } from '../../db/client.js';
import { approverRoles } from '../../db/playbooks.repo.js';
import { actorOf, holdsRole, principalOf } from '../auth.js';
import { normalisedField } from '../input-hygiene.js';
import { NOT_AN_APPROVER, type IncidentCommands } from '../incident-commands.js';
import { ProblemError } from '../problem.js';
import { approvalRequest, authProblems, idempotencyHeader, incidentIdParams, incidentView, pendingOutcome, problem } from '../schemas.js';

export function approvalRoutes(app: FastifyInstance, commands: IncidentCommands, db: Database): void {
  app.post<{ Params: { id: string }; Body: { event: string; decision: 'approve' | 'reject'; comment?: string }; Headers: { 'idempotency-key'?: string } }>(
    '/v1/incidents/:id/approvals',
    {
      // The playbook names who may approve each transition; the workflow checks it. Before it, the
      // route admits only roles that some playbook names as approvers.
      schema: {
        tags: ['incidents'],
        summary: 'Approve or reject a pending transition',
        description:
          '200 with the incident view when the decision completes (the transition happened, or a reject cleared the request); ' +
          '202 while more approvals are needed; 403 for the requester (two-person rule) or a role the playbook does not list; ' +
          '409 when no approval is pending for the event or this approver already approved it.',
        params: incidentIdParams,
        body: approvalRequest,
        response: { 200: incidentView, 202: pendingOutcome, ...authProblems, 404: problem, 409: problem },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const approving = await approverRoles(db);
      if (!holdsRole(principal, approving)) {
        const named = [...approving].sort().join(', ') || 'none';
        throw new ProblemError(...NOT_AN_APPROVER, `no playbook names the roles of ${principal.name} as approvers (they name: ${named})`);
      }
      const { event, decision, comment } = request.body;
      const outcome = await commands.decideApproval(
        request.params.id,
        { event, decision, ...actorOf(principal), actorRoles: principal.roles, ...(comment ? { comment } : {}), ...normalisedField(request) },
        request.headers['idempotency-key'],
      );
      return outcome.pendingApproval ? reply.code(202).send(outcome) : outcome.incident;
    },
  );
}

/** `POST /v1/incidents/:id/assign`: who works the incident (escalations may notify them). */
export function assignRoutes(app: FastifyInstance, commands: IncidentCommands): void {
  app.post<{ Params: { id: string }; Body: { assignee: string }; Headers: { 'idempotency-key'?: string } }>(
    '/v1/incidents/:id/assign',
    {
      schema: {
        tags: ['incidents'],
        headers: idempotencyHeader,
        params: incidentIdParams,
        body: { type: 'object', additionalProperties: false, required: ['assignee'], properties: { assignee: { type: 'string', minLength: 1, maxLength: 100 } } },
        response: { 200: incidentView, ...authProblems, 404: problem },
      },
    },
    async (request) =>
      (await commands.assign(request.params.id, { assignee: request.body.assignee, actor: principalOf(request).name, ...normalisedField(request) }, request.headers['idempotency-key']))
        .incident,
  );
}

/** `POST /v1/incidents/:id/work-log`: effort, for cost per business unit; an audit event. */
export function workLogRoutes(app: FastifyInstance, commands: IncidentCommands): void {
  app.post<{ Params: { id: string }; Body: { minutes: number; note?: string }; Headers: { 'idempotency-key'?: string } }>(
    '/v1/incidents/:id/work-log',
    {
      schema: {
        tags: ['incidents'],
        params: incidentIdParams,
        headers: idempotencyHeader,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['minutes'],
          properties: { minutes: { type: 'integer', minimum: 1, maximum: 1440 }, note: { type: 'string', maxLength: 2000 } },
        },
        response: { 200: incidentView, ...authProblems, 404: problem },
      },
    },
    async (request) => {
      const { minutes, note } = request.body;
      const body = { minutes, actor: principalOf(request).name, ...(note ? { note } : {}), ...normalisedField(request) };
      return (await commands.logWork(request.params.id, body, request.headers['idempotency-key'])).incident;
    },
  );
}
