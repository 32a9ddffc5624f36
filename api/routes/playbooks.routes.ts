/**
 * Playbooks: validate, register immutable versions (JSON or YAML), read them, and draw them.
 * Same id and content → the existing version (200); same id, new content → version + 1 (201).
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Database } from '../../db/client.js';
import { latestPlaybook, latestPlaybooks, listPlaybookVersions, playbookVersion, registerPlaybook, type RegisteredPlaybook } from '../../db/playbooks.repo.js';
import { playbookDiagram } from '../../machines/playbook.diagram.js';
import { playbookJsonSchema } from '../../machines/playbook.schema.js';
import { parsePlaybook, validatePlaybook, type PlaybookValidation } from '../../machines/playbook.validate.js';
import { principalOf } from '../auth.js';
import { normalisedWithin } from '../input-hygiene.js';
import { problems } from '../problem.js';
import { MAX_INT4, authProblems, problem } from '../schemas.js';

const YAML_TYPES = ['application/yaml', 'application/x-yaml', 'text/yaml'];

const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', pattern: '^[a-z0-9-]+$', maxLength: 64 } } } as const;
const versionParams = {
  type: 'object',
  required: ['id', 'version'],
  properties: { id: idParams.properties.id, version: { type: 'integer', minimum: 1, maximum: MAX_INT4 } },
} as const;
const summary = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    version: { type: 'integer' },
    hash: { type: 'string' },
    name: { type: 'string' },
    createdAt: { type: 'string', format: 'date-time' },
    createdBy: { type: 'string' },
    normalised: { type: 'array', items: { type: 'string' }, description: 'places whose text was made storable (NUL, lone surrogates → U+FFFD)' },
  },
} as const;
const full = { type: 'object', properties: { ...summary.properties, document: { type: 'object', additionalProperties: true } } } as const;
const mermaidText = { description: 'Mermaid stateDiagram-v2', content: { 'text/plain': { schema: { type: 'string' } } } } as const;

/**
 * A playbook, as JSON or YAML. Its schema (GET /v1/playbooks/schema) is checked by the route, not
 * here, so one 422 lists its structural and reference errors together.
 */
const playbookBody = {
  content: {
    'application/json': { schema: { type: 'object', description: 'a playbook document: see GET /v1/playbooks/schema' } },
    ...Object.fromEntries(YAML_TYPES.map((type) => [type, { schema: { type: 'string', description: 'the same document in YAML' } }])),
  },
} as const;
function validateBody(body: unknown): PlaybookValidation {
  if (typeof body === 'string') return parsePlaybook(body);
  if (body && typeof body === 'object' && !Array.isArray(body)) return validatePlaybook(body);
  throw problems.badRequest('send a playbook document as a JSON object or as YAML (content-type application/yaml)');
}

function invalid(errors: Array<{ path: string; message: string }>) {
  return problems.unprocessable('invalid-playbook', 'Invalid playbook', `${errors.length} error(s) in the playbook`, { errors });
}

function describe(p: RegisteredPlaybook) {
  return { id: p.id, version: p.version, hash: p.hash, name: p.document.name, createdAt: p.createdAt, createdBy: p.createdBy };
}

function found(p: RegisteredPlaybook | undefined, what: string): RegisteredPlaybook {
  if (!p) throw problems.notFound(`no playbook ${what}`);
  return p;
}

function mermaid(reply: FastifyReply, p: RegisteredPlaybook) {
  return reply.type('text/plain; charset=utf-8').send(playbookDiagram(p.document));
}

export function playbookRoutes(app: FastifyInstance, db: Database): void {
  app.addContentTypeParser(YAML_TYPES, { parseAs: 'string' }, (_request, body, done) => done(null, body));

  app.get(
    '/v1/playbooks/schema',
    { schema: { tags: ['playbooks'], summary: 'The playbook JSON Schema', response: { 200: { type: 'object', additionalProperties: true } } } },
    async () => playbookJsonSchema,
  );

  app.post(
    '/v1/playbooks/validate',
    {
      schema: {
        tags: ['playbooks'],
        summary: 'Validate a playbook; 422 lists every error with its path',
        body: playbookBody,
        response: { 200: { type: 'object', properties: { valid: { type: 'boolean' }, id: { type: 'string' } } }, ...authProblems, 422: problem },
      },
    },
    async (request) => {
      const result = validateBody(request.body);
      if (!result.ok) throw invalid(result.errors);
      return { valid: true, id: result.playbook.id };
    },
  );

  app.post(
    '/v1/playbooks',
    {
      schema: {
        tags: ['playbooks'],
        summary: 'Register a playbook version (201 new, 200 same content as an existing version)',
        body: playbookBody,
        response: { 200: summary, 201: summary, ...authProblems, 422: problem },
      },
    },
    async (request, reply) => {
      const result = validateBody(request.body);
      if (!result.ok) throw invalid(result.errors);
      const registered = await registerPlaybook(db, result.playbook, principalOf(request).name);
      if (registered.created) await app.auditTrail.system('playbook_registered', principalOf(request).name, { id: registered.id, version: registered.version, hash: registered.hash });
      const normalised = result.normalised ?? normalisedWithin(request.normalised, 'body');
      return reply
        .code(registered.created ? 201 : 200)
        .header('location', `/v1/playbooks/${registered.id}/versions/${registered.version}`)
        .send({ ...describe(registered), ...(normalised.length > 0 ? { normalised } : {}) });
    },
  );

  app.get(
    '/v1/playbooks',
    { schema: { tags: ['playbooks'], response: { 200: { type: 'object', properties: { playbooks: { type: 'array', items: summary } } }, ...authProblems } } },
    async () => ({ playbooks: (await latestPlaybooks(db)).map(describe) }),
  );

  app.get<{ Params: { id: string } }>(
    '/v1/playbooks/:id',
    { schema: { tags: ['playbooks'], summary: 'The latest version', params: idParams, response: { 200: full, ...authProblems, 404: problem } } },
    async (request) => {
      const p = found(await latestPlaybook(db, request.params.id), request.params.id);
      return { ...describe(p), document: p.document };
    },
  );

  app.get<{ Params: { id: string } }>(
    '/v1/playbooks/:id/versions',
    {
      schema: { tags: ['playbooks'], params: idParams, response: { 200: { type: 'object', properties: { versions: { type: 'array', items: summary } } }, ...authProblems, 404: problem } },
    },
    async (request) => {
      const versions = await listPlaybookVersions(db, request.params.id);
      if (versions.length === 0) throw problems.notFound(`no playbook ${request.params.id}`);
      return { versions: versions.map(describe) };
    },
  );

  app.get<{ Params: { id: string; version: number } }>(
    '/v1/playbooks/:id/versions/:version',
    { schema: { tags: ['playbooks'], params: versionParams, response: { 200: full, ...authProblems, 404: problem } } },
    async (request) => {
      const { id, version } = request.params;
      const p = found(await playbookVersion(db, id, version), `${id} version ${version}`);
      return { ...describe(p), document: p.document };
    },
  );

  app.get<{ Params: { id: string } }>(
    '/v1/playbooks/:id/diagram',
    { schema: { tags: ['playbooks'], summary: 'The latest version as a Mermaid stateDiagram-v2', params: idParams, response: { 200: mermaidText } } },
    async (request, reply) => mermaid(reply, found(await latestPlaybook(db, request.params.id), request.params.id)),
  );

  app.get<{ Params: { id: string; version: number } }>(
    '/v1/playbooks/:id/versions/:version/diagram',
    { schema: { tags: ['playbooks'], summary: 'A version as a Mermaid stateDiagram-v2', params: versionParams, response: { 200: mermaidText } } },
    async (request, reply) => {
      const { id, version } = request.params;
      return mermaid(reply, found(await playbookVersion(db, id, version), `${id} version ${version}`));
    },
  );
}

