/** Checkpoints for auditors: make one now, list them, read one whole, and an incident's inclusion proof. */
import type { FastifyInstance } from 'fastify';
import type { KeyRing } from '../../db/chain-signing.js';
import { createCheckpoint, findCheckpoint, inclusionProofOf, listCheckpoints } from '../../db/checkpoints.repo.js';
import type { Database } from '../../db/client.js';
import type { CheckpointMaker } from '../deps.js';
import { problems } from '../problem.js';
import { authProblems, incidentIdParams, problem } from '../schemas.js';

const header = { type: 'object', additionalProperties: true, description: '{format, seq, at, size, root, previous: {seq, root} | null, signature: {keyId, signature}}' } as const;

export function checkpointRoutes(app: FastifyInstance, db: Database, keyRing: KeyRing | undefined, maker?: CheckpointMaker): void {
  const make = maker ?? { make: () => createCheckpoint(db, keyRing?.signer) };

  app.post(
    '/v1/audit/checkpoints',
    {
      schema: {
        tags: ['audit'],
        summary: 'Make a checkpoint now of every head that moved since the last one (they are also made on a schedule)',
        response: { 200: { type: 'object', properties: { created: { type: 'boolean' } } }, 201: header, ...authProblems },
      },
    },
    async (_request, reply) => {
      const checkpoint = await make.make();
      if (!checkpoint) return reply.code(200).send({ created: false });
      const { heads: _heads, ...made } = checkpoint;
      return reply.code(201).send(made);
    },
  );

  app.get(
    '/v1/audit/checkpoints',
    { schema: { tags: ['audit'], summary: 'The checkpoints, newest first', response: { 200: { type: 'object', properties: { checkpoints: { type: 'array', items: header } } }, ...authProblems } } },
    async () => ({ checkpoints: await listCheckpoints(db) }),
  );

  app.get<{ Params: { seq: number } }>(
    '/v1/audit/checkpoints/:seq',
    {
      schema: {
        tags: ['audit'],
        summary: 'A checkpoint with the heads it holds',
        params: { type: 'object', properties: { seq: { type: 'integer', minimum: 1, maximum: 2147483647 } } },
        response: { 200: { type: 'object', additionalProperties: true }, ...authProblems, 404: problem },
      },
    },
    async (request) => (await findCheckpoint(db, request.params.seq)) ?? Promise.reject(problems.notFound(`no checkpoint ${request.params.seq}`)),
  );

  app.get<{ Params: { id: string } }>(
    '/v1/incidents/:id/checkpoint-proof',
    {
      schema: {
        tags: ['audit'],
        summary: "The proof that the incident's latest checkpointed head is in its checkpoint (for irflow-verify --proof)",
        params: incidentIdParams,
        response: { 200: { type: 'object', additionalProperties: true }, ...authProblems, 404: problem },
      },
    },
    async (request) => (await inclusionProofOf(db, request.params.id)) ?? Promise.reject(problems.notFound(`no checkpoint holds ${request.params.id} yet`)),
  );
}
