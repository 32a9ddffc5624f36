/** Audit: the sealed export dossier of an incident, and the access log of who read what. */
import type { FastifyInstance } from 'fastify';
import { listAccess } from '../../db/access-log.repo.js';
import type { Database } from '../../db/client.js';
import type { KeyRing } from '../../db/chain-signing.js';
import { DOSSIER_FORMAT, seal } from '../../db/dossier.js';
import { findIncident, incidentHistory, toIncidentView } from '../../db/incidents.reads.js';
import { playbookVersion } from '../../db/playbooks.repo.js';
import { replayLifecycle, replayReport } from '../../machines/replay.js';
import { principalOf } from '../auth.js';
import type { Replayer } from '../deps.js';
import type { IncidentCommands } from '../incident-commands.js';
import { problems } from '../problem.js';
import { MAX_SAFE_ID, authProblems, incidentIdParams, problem } from '../schemas.js';

export function auditRoutes(app: FastifyInstance, db: Database, commands: IncidentCommands, replayer?: Replayer, keyRing?: KeyRing): void {
  /** The projected incident; 404 when there is none. */
  async function incidentRow(id: string) {
    const row = await findIncident(db, id);
    if (!row) throw problems.notFound(`no incident ${id}`);
    return row;
  }

  /** The projected incident and the playbook version it pinned; 404 when there is none. */
  async function pinnedIncident(id: string) {
    const row = await incidentRow(id);
    const playbook = await playbookVersion(db, row.playbookId, row.playbookVersion);
    if (!playbook) throw new Error(`playbook ${row.playbookId} version ${row.playbookVersion} of ${row.id} is missing`);
    return { row, playbook };
  }

  app.post<{ Params: { id: string } }>(
    '/v1/incidents/:id/replay',
    {
      schema: {
        tags: ['audit'],
        summary: "Replay the workflow history against today's code, and the lifecycle machine over the audit log",
        params: incidentIdParams,
        response: { 200: { type: 'object', additionalProperties: true }, ...authProblems, 404: problem, 503: problem },
      },
    },
    async (request) => {
      if (!replayer) throw problems.unavailable('this API process was started without a replayer');
      const { row, playbook } = await pinnedIncident(request.params.id);
      await app.auditTrail.access(principalOf(request).name, 'replay', row.id);
      // The log the projection read describes (its stage is what the machine's replay ends in), however busy the incident.
      const [events, history] = await Promise.all([incidentHistory(db, row.id, { upToSeq: row.lastSeq }), commands.workflowHistory(row.id)]);
      const report = replayReport(row.id, await replayer(history, row.id), replayLifecycle(playbook.document, events, row.stage));
      return { ...report, playbook: { id: playbook.id, version: playbook.version } };
    },
  );

  app.get<{ Params: { id: string } }>(
    '/v1/incidents/:id/export',
    {
      schema: {
        tags: ['audit'],
        summary: "The dossier: incident, playbook version, audit log with its signed head, Temporal history, SHA-256 digest and irflow's signature of it",
        params: incidentIdParams,
        response: { 200: { type: 'object', additionalProperties: true }, ...authProblems, 404: problem },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      await incidentRow(request.params.id);
      // A consistent dossier of a busy incident: the history first (a step is in the ledger before
      // its hash reaches the history, so the ledger read after it holds every step it names), then
      // the head, then the log up to that head - the signed head is the log's last event.
      const temporalHistory = await commands.workflowHistory(request.params.id);
      const { row, playbook } = await pinnedIncident(request.params.id);
      const events = await incidentHistory(db, row.id, { upToSeq: row.lastSeq });
      await app.auditTrail.access(principal.name, 'export', row.id);
      return seal({
        format: DOSSIER_FORMAT,
        exportedAt: new Date().toISOString(),
        exportedBy: principal.name,
        incident: toIncidentView(row) as unknown as Record<string, unknown> & { id: string },
        chain: { lastSeq: row.lastSeq, lastHash: row.lastHash, ...(row.headKeyId && row.headSignature ? { signature: { keyId: row.headKeyId, signature: row.headSignature } } : {}) },
        playbook: { id: playbook.id, version: playbook.version, hash: playbook.hash, document: playbook.document },
        events,
        temporalHistory,
      }, keyRing?.signer);
    },
  );

  app.get(
    '/v1/audit/keys',
    {
      schema: {
        tags: ['audit'],
        summary: "irflow's public signing keys: every key that ever signed a chain head or a dossier",
        response: {
          200: {
            type: 'object',
            properties: {
              current: { type: ['string', 'null'], description: 'the id of the key that signs now' },
              keys: { type: 'array', items: { type: 'object', properties: { id: { type: 'string' }, algorithm: { type: 'string' }, publicKey: { type: 'string' }, createdAt: { type: 'string' } } } },
            },
          },
          ...authProblems,
        },
      },
    },
    async () => ({ current: keyRing?.signer?.id ?? null, keys: keyRing?.publicKeys ?? [] }),
  );

  app.get<{ Querystring: { incidentId?: string; before?: number; limit: number } }>(
    '/v1/access-log',
    {
      schema: {
        tags: ['audit'],
        summary: 'Reads of histories, exports and replays, newest first',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            incidentId: { type: 'string', maxLength: 64 },
            before: { type: 'integer', minimum: 1, maximum: MAX_SAFE_ID, description: 'entries older than this id (paging)' },
            limit: { type: 'integer', minimum: 1, maximum: 500, default: 100 },
          },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              entries: {
                type: 'array',
                items: { type: 'object', properties: { id: { type: 'integer' }, at: { type: 'string' }, actor: { type: 'string' }, action: { type: 'string' }, incidentId: { type: 'string' } } },
              },
            },
          },
          ...authProblems,
        },
      },
    },
    async (request) => ({ entries: await listAccess(db, request.query) }),
  );
}
