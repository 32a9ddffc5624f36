/**
 * Evidence with a chain of custody. Files are streamed into the evidence store (hashed on the
 * way, never held whole in memory, never passed through Temporal); the incident's workflow
 * records each upload, download, transfer, disposal and failed integrity check as a ledger event
 * naming who and why. A download whose bytes no longer match the recorded hash is refused.
 */
import type { MultipartFile } from '@fastify/multipart';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Database } from '../../db/client.js';
import { bytesStillHeld, incidentEvidence, type EvidenceRecord } from '../../db/evidence.reads.js';
import { mergedFamily } from '../../db/incidents.reads.js';
import { existingIncident } from '../incident-exists.js';
import { EvidenceTooLargeError, MAX_EVIDENCE_BYTES, type EvidenceStore } from '../../runtime/evidence-store.js';
import type { EvidenceRequest } from '../../workflows/incident.messages.js';
import { actorOf, principalOf } from '../auth.js';
import { custodyTransfer, disposal, downloadQuery, evidenceIdParams, evidenceItem, evidenceReference, evidenceWithCustody } from '../evidence.schemas.js';
import type { IncidentCommands } from '../incident-commands.js';
import { normalisedField } from '../input-hygiene.js';
import { ProblemError, problems } from '../problem.js';
import { newRecordId } from '../record-ids.js';
import { authProblems, idempotencyHeader, incidentIdParams, problem } from '../schemas.js';

type Params = { id: string; evidenceId: string };
type Reference = { uri: string; sha256: string; size: number; name?: string; mediaType?: string; description?: string };

const withoutCustody = ({ custody: _custody, ...item }: EvidenceRecord) => item;

/** The uploaded file, stored; 400 without a `file` part, 413 past the size limit. */
async function storeUpload(request: FastifyRequest, store: EvidenceStore) {
  let part: MultipartFile | undefined;
  try {
    part = await request.file();
  } catch (error) {
    throw problems.badRequest(`the multipart body cannot be read: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (!part || part.fieldname !== 'file') throw problems.badRequest('a multipart upload needs its file in a part named file', [{ path: 'file', message: 'is required' }]);
  const field = part.fields.description;
  const description = field && !Array.isArray(field) && field.type === 'field' ? String(field.value).slice(0, 4000) : undefined;
  try {
    const stored = await store.put(part.file, () => part.file.truncated);
    return { ...stored, name: part.filename || 'upload', mediaType: part.mimetype || 'application/octet-stream', ...(description ? { description } : {}) };
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (error instanceof EvidenceTooLargeError || code === 'FST_REQ_FILE_TOO_LARGE') throw problems.payloadTooLarge(`evidence files may hold at most ${MAX_EVIDENCE_BYTES} bytes`);
    throw error;
  }
}

export function evidenceRoutes(app: FastifyInstance, commands: IncidentCommands, db: Database, store: EvidenceStore): void {
  const mustExist = (id: string) => existingIncident(db, commands, id);
  /** Evidence of the incident and of those merged into it (each item names its own incident). */
  const familyEvidence = async (id: string) => (await Promise.all((await mergedFamily(db, id)).map((member) => incidentEvidence(db, member)))).flat();
  async function itemOf({ id, evidenceId }: Params): Promise<EvidenceRecord> {
    const item = (await familyEvidence(id)).find((e) => e.id === evidenceId);
    if (!item) throw problems.notFound(`incident ${id} has no evidence ${evidenceId}`);
    return item;
  }
  const record = (request: FastifyRequest, id: string, change: EvidenceRequest) => commands.evidence(id, change, request.headers['idempotency-key'] as string | undefined);

  app.post<{ Params: { id: string }; Body?: Reference }>(
    '/v1/incidents/:id/evidence',
    {
      schema: {
        tags: ['case work'],
        summary: 'Add evidence: a file (multipart/form-data, part `file`, up to 2 GiB, streamed) or a reference to evidence held elsewhere (JSON)',
        description: 'A text part `description` sent before `file` describes it. 201 with the item, its SHA-256 computed while the upload streamed.',
        headers: idempotencyHeader,
        params: incidentIdParams,
        body: { content: { 'application/json': { schema: evidenceReference } } },
        response: { 201: evidenceItem, ...authProblems, 404: problem, 413: problem, 422: problem },
      },
    },
    async (request, reply) => {
      await mustExist(request.params.id);
      const principal = principalOf(request);
      if (!request.isMultipart() && (typeof request.body !== 'object' || request.body === null)) {
        throw new ProblemError(415, 'unsupported-media-type', 'Unsupported media type', 'send a file as multipart/form-data, or a reference {uri, sha256, size} as application/json');
      }
      const described = request.isMultipart() ? await storeUpload(request, store) : referenceOf(request.body);
      const evidenceId = `E-${newRecordId(principal.name, request.headers['idempotency-key'] as string | undefined)}`;
      await record(request, request.params.id, { op: 'add', evidenceId, ...described, ...actorOf(principal), ...normalisedField(request) });
      const item = (await familyEvidence(request.params.id)).find((e) => e.id === evidenceId);
      if (!item) throw problems.keyReused();
      return reply.code(201).header('location', `/v1/incidents/${request.params.id}/evidence/${evidenceId}`).send(withoutCustody(item));
    },
  );

  app.get<{ Params: { id: string } }>(
    '/v1/incidents/:id/evidence',
    {
      schema: { tags: ['case work'], summary: 'The evidence of an incident', params: incidentIdParams, response: { 200: { type: 'object', properties: { evidence: { type: 'array', items: evidenceItem } } }, ...authProblems, 404: problem } },
    },
    async (request) => {
      await mustExist(request.params.id);
      return { evidence: (await familyEvidence(request.params.id)).map(withoutCustody) };
    },
  );

  app.get<{ Params: Params }>(
    '/v1/incidents/:id/evidence/:evidenceId/custody',
    { schema: { tags: ['case work'], summary: 'An evidence item with its chain of custody, from the ledger', params: evidenceIdParams, response: { 200: evidenceWithCustody, ...authProblems, 404: problem } } },
    async (request) => itemOf(request.params),
  );

  app.get<{ Params: Params; Querystring: { reason?: string } }>(
    '/v1/incidents/:id/evidence/:evidenceId/content',
    {
      schema: {
        tags: ['case work'],
        summary: 'Download the bytes, checked against the recorded SHA-256 first; the download is a custody event',
        description: '409 evidence-altered when the stored bytes no longer match their hash (recorded as evidence_integrity_failed); 409 for evidence held elsewhere; 410 once disposed of.',
        params: evidenceIdParams,
        querystring: downloadQuery,
        response: { 200: { description: 'the bytes, with Repr-Digest (RFC 9530) and X-Irflow-Sha256', type: 'string' }, ...authProblems, 404: problem, 409: problem, 410: problem },
      },
    },
    async (request, reply) => download(request, reply, await itemOf(request.params)),
  );

  async function download(request: FastifyRequest<{ Params: Params; Querystring: { reason?: string } }>, reply: FastifyReply, item: EvidenceRecord) {
    const { evidenceId } = request.params;
    const id = item.incidentId;
    if (item.disposed) throw new ProblemError(410, 'evidence-disposed', 'The evidence was disposed of', `evidence ${evidenceId} was disposed of`);
    if (item.storage === 'reference') throw problems.conflict('evidence-held-elsewhere', 'Evidence held elsewhere', `evidence ${evidenceId} is held at ${item.uri}`, { uri: item.uri });
    const principal = principalOf(request);
    const found = await store.check(item.sha256);
    if (!found || found.sha256 !== item.sha256) {
      await record(request, id, { op: 'integrityFailed', evidenceId, actual: found?.sha256 ?? null, ...actorOf(principal) });
      const what = found ? `hash to ${found.sha256}` : 'are missing';
      throw problems.conflict('evidence-altered', 'Evidence altered', `the stored bytes of evidence ${evidenceId} ${what}, not the recorded ${item.sha256}: refused, and recorded`, { expected: item.sha256, actual: found?.sha256 ?? null });
    }
    await record(request, id, { op: 'download', evidenceId, ...(request.query.reason ? { reason: request.query.reason } : {}), ...actorOf(principal) });
    const digest = Buffer.from(item.sha256, 'hex').toString('base64');
    return reply
      .header('content-type', item.mediaType)
      .header('content-length', String(found.size))
      .header('content-disposition', `attachment; filename*=UTF-8''${encodeURIComponent(item.name)}`)
      .header('repr-digest', `sha-256=:${digest}:`)
      .header('x-irflow-sha256', item.sha256)
      .send(store.open(item.sha256));
  }

  app.post<{ Params: Params; Body: { to: string; reason: string } }>(
    '/v1/incidents/:id/evidence/:evidenceId/custody',
    { schema: { tags: ['case work'], summary: 'Hand an item to another custodian, saying why', headers: idempotencyHeader, params: evidenceIdParams, body: custodyTransfer, response: { 200: evidenceItem, ...authProblems, 404: problem, 409: problem, 410: problem } } },
    async (request) => {
      const { to, reason } = request.body;
      const { incidentId } = await itemOf(request.params);
      await record(request, incidentId, { op: 'transfer', evidenceId: request.params.evidenceId, to, reason, ...actorOf(principalOf(request)), ...normalisedField(request) });
      return withoutCustody(await itemOf(request.params));
    },
  );

  app.post<{ Params: Params; Body: { reason: string } }>(
    '/v1/incidents/:id/evidence/:evidenceId/dispose',
    { schema: { tags: ['case work'], summary: 'Dispose of an item, saying why; its bytes go once no other item holds them', headers: idempotencyHeader, params: evidenceIdParams, body: disposal, response: { 200: evidenceItem, ...authProblems, 404: problem, 410: problem } } },
    async (request) => {
      const { evidenceId } = request.params;
      const { incidentId } = await itemOf(request.params);
      await record(request, incidentId, { op: 'dispose', evidenceId, reason: request.body.reason, ...actorOf(principalOf(request)), ...normalisedField(request) });
      const item = await itemOf(request.params);
      if (item.storage === 'irflow' && !(await bytesStillHeld(db, item.sha256))) await store.remove(item.sha256);
      return withoutCustody(item);
    },
  );
}

function referenceOf(body: Reference | undefined) {
  if (!body) throw problems.badRequest('send a file as multipart/form-data, or a reference {uri, sha256, size} as JSON');
  const { uri, sha256, size, description } = body;
  const name = body.name ?? uri.split(/[/\\]/).filter(Boolean).at(-1) ?? uri;
  return { uri, sha256, size, name, mediaType: body.mediaType ?? 'application/octet-stream', ...(description ? { description } : {}) };
}
