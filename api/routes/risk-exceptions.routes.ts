/**
 * Risk exceptions with a lifecycle: request one (its workflow starts, waiting for approvals),
 * decide on it (approve, reject, renew, revoke: an Update answered once the step is recorded),
 * read them with every step from the signed `risk` audit chain.
 */
import { ApplicationFailure, WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/common';
import { WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { desc, eq, sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { auditChainEvents } from '../../db/audit.schema.js';
import type { Database } from '../../db/client.js';
import { contextRiskExceptions } from '../../db/context.schema.js';
import type { RiskExceptionCommand, RiskExceptionRequest, RiskRefusal } from '../../machines/risk-exception.js';
import { riskExceptionDecisionUpdate, riskExceptionWorkflowId, RISK_EXCEPTION_WORKFLOW_TYPE, type RiskExceptionInput } from '../../workflows/risk-exception.workflow.js';
import { principalOf } from '../auth.js';
import { ProblemError, problems } from '../problem.js';
import { authProblems, isoTime, problem } from '../schemas.js';

const ids = { type: 'array', minItems: 1, maxItems: 1000, items: { type: 'string', minLength: 1, maxLength: 200 } } as const;
const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 1, maxLength: 200 } } } as const;
const requestBody = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'expiresAt', 'justification', 'owner'],
  anyOf: [{ required: ['assetIds'] }, { required: ['ruleIds'] }],
  properties: {
    id: idParams.properties.id,
    assetIds: ids,
    ruleIds: ids,
    expiresAt: isoTime,
    justification: { type: 'string', minLength: 1, maxLength: 10000 },
    owner: { type: 'string', minLength: 1, maxLength: 200, description: 'who answers for the risk; the notification channel of that name hears of the coming expiry' },
    noticeDays: { type: 'number', minimum: 0, maximum: 365, description: 'days before expiry the owner is told (default 14; fractions allowed)' },
    approvals: {
      type: 'object',
      additionalProperties: false,
      properties: { count: { type: 'integer', minimum: 1, maximum: 5 }, roles: { type: 'array', minItems: 1, maxItems: 10, items: { type: 'string', pattern: '^[a-z][a-z0-9-]*$', maxLength: 64 } } },
    },
  },
} as const;
const decisionBody = {
  type: 'object',
  additionalProperties: false,
  required: ['decision'],
  properties: {
    decision: { type: 'string', enum: ['approve', 'reject', 'renew', 'revoke'] },
    comment: { type: 'string', maxLength: 4000 },
    expiresAt: { ...isoTime, description: 'renew: the new expiry, later than the current one' },
    justification: { type: 'string', minLength: 1, maxLength: 10000, description: 'renew: why it is still needed' },
    reason: { type: 'string', minLength: 1, maxLength: 4000, description: 'revoke: why' },
  },
} as const;
const exception = { type: 'object', additionalProperties: true } as const;

const REFUSALS: Record<RiskRefusal, readonly [number, string, string]> = {
  selfApproval: [403, 'self-approval', 'Two-person rule: the requester may not decide'],
  approverRoleMissing: [403, 'approver-role-missing', 'Not an approver for this risk exception'],
  alreadyDecided: [409, 'already-decided', 'Already approved by this approver'],
  nothingPending: [409, 'nothing-pending', 'Nothing waits for this decision'],
  pendingAlready: [409, 'renewal-pending', 'A renewal waits for approval already'],
  terminal: [409, 'risk-exception-ended', 'The risk exception has ended'],
  expiryNotLater: [422, 'expiry-not-later', 'A renewal must expire later'],
};

function refusal(error: unknown): Error {
  if (error instanceof WorkflowNotFoundError) return problems.notFound('no such risk exception');
  if (error instanceof WorkflowUpdateFailedError && error.cause instanceof ApplicationFailure && Object.hasOwn(REFUSALS, error.cause.type ?? '')) {
    const [status, slug, title] = REFUSALS[error.cause.type as RiskRefusal];
    return new ProblemError(status, slug, title, error.cause.message);
  }
  return error as Error;
}

type DecisionBody = { decision: RiskExceptionCommand['type']; comment?: string; expiresAt?: string; justification?: string; reason?: string };

function command(body: DecisionBody, actor: string, actorRoles: string[]): RiskExceptionCommand {
  if (body.decision === 'renew') {
    if (!body.expiresAt || !body.justification) throw problems.badRequest('renew needs expiresAt and justification');
    return { type: 'renew', actor, expiresAt: body.expiresAt, justification: body.justification };
  }
  if (body.decision === 'revoke') {
    if (!body.reason) throw problems.badRequest('revoke needs a reason');
    return { type: 'revoke', actor, reason: body.reason };
  }
  return { type: body.decision, actor, actorRoles, ...(body.comment ? { comment: body.comment } : {}) };
}

export function riskExceptionRoutes(app: FastifyInstance, db: Database, temporal: Client, taskQueue: string): void {
  app.post<{ Body: RiskExceptionRequest }>(
    '/v1/risk-exceptions',
    { schema: { tags: ['exposures'], summary: 'Request a risk exception: it covers nothing until approved (two approvers by default)', body: requestBody, response: { 201: exception, ...authProblems, 409: problem, 422: problem } } },
    async (request, reply) => {
      const body = request.body;
      if (Date.parse(body.expiresAt) <= Date.now()) throw problems.unprocessable('expiry-past', 'Expiry in the past', `expiresAt ${body.expiresAt} has passed`, { errors: [{ path: 'expiresAt', message: 'must be in the future' }] });
      const [existing] = await db.select({ id: contextRiskExceptions.id }).from(contextRiskExceptions).where(eq(contextRiskExceptions.id, body.id));
      if (existing) throw problems.conflict('risk-exception-exists', 'The risk exception exists', `risk exception ${body.id} exists already`);
      const input: RiskExceptionInput = { request: body, requestedBy: principalOf(request).name };
      try {
        await temporal.workflow.start(RISK_EXCEPTION_WORKFLOW_TYPE, { workflowId: riskExceptionWorkflowId(body.id), taskQueue, args: [input], workflowIdReusePolicy: 'REJECT_DUPLICATE' });
      } catch (error) {
        if (error instanceof WorkflowExecutionAlreadyStartedError) throw problems.conflict('risk-exception-exists', 'The risk exception exists', `risk exception ${body.id} exists already`);
        throw error;
      }
      return reply.code(201).header('location', `/v1/risk-exceptions/${encodeURIComponent(body.id)}`).send({ ...body, status: 'requested', requestedBy: input.requestedBy });
    },
  );

  app.post<{ Params: { id: string }; Body: DecisionBody }>(
    '/v1/risk-exceptions/:id/decisions',
    {
      schema: {
        tags: ['exposures'],
        summary: 'Approve, reject, renew or revoke; answered once the step is recorded',
        params: idParams,
        body: decisionBody,
        response: { 200: exception, ...authProblems, 404: problem, 409: problem, 422: problem },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const handle = temporal.workflow.getHandle(riskExceptionWorkflowId(request.params.id));
      try {
        return await handle.executeUpdate(riskExceptionDecisionUpdate, { args: [command(request.body, principal.name, principal.roles)] });
      } catch (error) {
        throw refusal(error);
      }
    },
  );

  app.get('/v1/risk-exceptions', { schema: { tags: ['exposures'], summary: 'Every risk exception: imported (status imported) or with a lifecycle', response: { 200: { type: 'object', properties: { riskExceptions: { type: 'array', items: exception } } }, ...authProblems } } }, async () => {
    const rows = await db.select().from(contextRiskExceptions).orderBy(contextRiskExceptions.expiresAt);
    return { riskExceptions: rows.map(({ lifecycle: _l, recordedSeq: _r, status, ...row }) => ({ ...row, status: status ?? 'imported' })) };
  });

  app.get<{ Params: { id: string } }>(
    '/v1/risk-exceptions/:id',
    { schema: { tags: ['exposures'], summary: 'A risk exception with its lifecycle and every step, from the risk audit chain', params: idParams, response: { 200: exception, ...authProblems, 404: problem } } },
    async (request) => {
      const [row] = await db.select().from(contextRiskExceptions).where(eq(contextRiskExceptions.id, request.params.id));
      if (!row) throw problems.notFound(`no risk exception ${request.params.id}`);
      const steps = await db
        .select({ seq: auditChainEvents.seq, at: auditChainEvents.at, type: auditChainEvents.type, actor: auditChainEvents.actor, data: auditChainEvents.data })
        .from(auditChainEvents)
        .where(sql`${auditChainEvents.chain} = 'risk' and ${auditChainEvents.data} ->> 'exceptionId' = ${row.id}`)
        .orderBy(desc(auditChainEvents.seq));
      const { lifecycle, recordedSeq: _r, status, ...rest } = row;
      return { ...rest, status: status ?? 'imported', ...(lifecycle ? { lifecycle } : {}), steps: steps.reverse() };
    },
  );
}
