/**
 * `PUT /v1/context/:kind`: bulk upserts that feed the built-in context connectors. Arrays of up
 * to 10,000 rows, idempotent by id; any bad row rejects the request whole (422, with every
 * row-level error) and nothing is written.
 */
import type { FastifyInstance } from 'fastify';
import type { Database } from '../../db/client.js';
import { and, inArray, isNotNull } from 'drizzle-orm';
import { upsertContext } from '../../db/context.repo.js';
import { contextRiskExceptions } from '../../db/context.schema.js';
import { contentHash } from '../../db/ledger.js';
import { principalOf } from '../auth.js';
import { validateContextRows } from '../../machines/context.schemas.js';
import type { ChangeRecord, ContextRecords } from '../../machines/context.types.js';
import type { ContextKind } from '../../machines/playbook.types.js';
import { problems } from '../problem.js';
import { authProblems, problem } from '../schemas.js';
import type { ExposureResponder } from '../exposures.js';
import { oversizedDocuments } from './changes.schemas.js';
import { exposureOutcome, outcomeBody, tooLarge } from './changes.routes.js';

export const MAX_CONTEXT_ROWS = 10_000;

const KINDS: Record<string, ContextKind> = {
  assets: 'asset',
  'business-units': 'business-unit',
  changes: 'change',
  'risk-exceptions': 'risk-exception',
  intel: 'intel',
};

/** An exception with a lifecycle changes through its decisions only: an import may not overwrite it (nor skip its approvals). */
async function refuseManagedExceptions(db: Database, rows: Array<{ id: string }>): Promise<void> {
  const managed = await db
    .select({ id: contextRiskExceptions.id })
    .from(contextRiskExceptions)
    .where(and(inArray(contextRiskExceptions.id, rows.map((r) => r.id)), isNotNull(contextRiskExceptions.status)));
  if (managed.length === 0) return;
  const list = managed.map((m) => m.id).sort();
  throw problems.conflict('risk-exception-managed', 'Risk exception with a lifecycle', `${list.join(', ')} changes through its decisions (POST /v1/risk-exceptions/:id/decisions), not an import`, { ids: list.slice(0, 50) });
}

export function contextRoutes(app: FastifyInstance, db: Database, exposures: ExposureResponder): void {
  app.put<{ Params: { kind: string }; Body: unknown }>(
    '/v1/context/:kind',
    {
      // 10,000 asset rows with their addresses run to several MiB.
      bodyLimit: 32 * 1024 * 1024,
      schema: {
        tags: ['context'],
        summary: 'Bulk upsert context records (built-in connectors)',
        params: { type: 'object', required: ['kind'], properties: { kind: { type: 'string', enum: Object.keys(KINDS) } } },
        body: { type: 'array', items: { type: 'object' }, description: `up to ${MAX_CONTEXT_ROWS} records of the kind (their JSON Schemas are in the README)` },
        response: {
          200: { type: 'object', properties: { kind: { type: 'string' }, upserted: { type: 'integer' }, ...exposureOutcome.properties } },
          ...authProblems,
          409: problem,
          422: problem,
        },
      },
    },
    async (request) => {
      const kind = KINDS[request.params.kind]!;
      const rows = request.body;
      if (!Array.isArray(rows)) throw problems.badRequest('send a JSON array of records');
      if (rows.length > MAX_CONTEXT_ROWS) {
        throw problems.unprocessable('too-many-rows', 'Too many rows', `at most ${MAX_CONTEXT_ROWS} rows per request; this one has ${rows.length}`);
      }
      const errors = validateContextRows(kind, rows);
      if (errors.length > 0) {
        throw problems.unprocessable('invalid-context-rows', 'Invalid context rows', `${errors.length} error(s); nothing was written`, { errors });
      }
      if (kind === 'risk-exception') await refuseManagedExceptions(db, rows as Array<{ id: string }>);
      if (kind === 'change') {
        const index = (rows as ChangeRecord[]).findIndex((row) => oversizedDocuments(row).length > 0);
        if (index >= 0) throw tooLarge(oversizedDocuments((rows as ChangeRecord[])[index]!), `${index}.`);
      }
      const upserted = await upsertContext(db, kind, rows as Array<ContextRecords[typeof kind]>);
      const actor = principalOf(request).name;
      await app.auditTrail.system('context_imported', actor, { kind: request.params.kind, upserted, hash: contentHash(rows) });
      // Changes imported in bulk meet the exposure rules as posted ones do.
      if (kind === 'change') return { kind: request.params.kind, upserted, ...outcomeBody(await exposures.respond(rows as ChangeRecord[], actor)) };
      return { kind: request.params.kind, upserted };
    },
  );
}
