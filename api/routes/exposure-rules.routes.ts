/**
 * Exposure rules: register versions (JSON or YAML; the same content again → 200 with its version),
 * read them with what they matched, and test one against a change without opening anything.
 */
import type { FastifyInstance } from 'fastify';
import type { Database } from '../../db/client.js';
import { InvalidCursorError } from '../../db/cursor.js';
import { latestExposureRules, listExposureRuleVersions, matchesOfRule, registerExposureRule, type RegisteredRule } from '../../db/exposure-rules.repo.js';
import type { ChangeRecord } from '../../machines/context.types.js';
import { compileRule, DEFAULT_EXPOSURE_PLAYBOOK, exposureRuleJsonSchema, parseExposureRule, validateExposureRule, type ExposureRuleValidation } from '../../machines/exposure-rule.js';
import { principalOf } from '../auth.js';
import type { PlaybookCatalog } from '../deps.js';
import { problems } from '../problem.js';
import { authProblems, problem } from '../schemas.js';
import { changeBody, toChangeRecord, type PostedChange } from './changes.schemas.js';

const ruleSummary = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    version: { type: 'integer' },
    hash: { type: 'string' },
    name: { type: 'string' },
    description: { type: 'string' },
    severity: { type: 'string' },
    when: { type: 'string' },
    playbook: { type: 'string' },
    category: { type: 'string' },
    enabled: { type: 'boolean' },
    createdAt: { type: 'string', format: 'date-time' },
    createdBy: { type: 'string' },
  },
} as const;
/** Matches GET /v1/exposure-rules/:id shows inline; the rest page at /matches. */
const FIRST_MATCHES = 100;
const matchView = {
  type: 'object',
  properties: {
    ruleId: { type: 'string' },
    changeId: { type: 'string' },
    ruleVersion: { type: 'integer' },
    incidentId: { type: 'string' },
    changeKind: { type: ['string', 'null'] },
    matchedAt: { type: 'string', format: 'date-time' },
  },
} as const;
const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', pattern: '^[a-z0-9][a-z0-9-]*$', maxLength: 64 } } } as const;
const ruleBody = {
  content: {
    'application/json': { schema: { type: 'object', description: 'an exposure rule: see GET /v1/exposure-rules/schema' } },
    'application/yaml': { schema: { type: 'string', description: 'the same rule in YAML' } },
  },
} as const;

function describe(r: RegisteredRule) {
  return { playbook: DEFAULT_EXPOSURE_PLAYBOOK, enabled: true, ...r.rule, version: r.version, hash: r.hash, createdAt: r.createdAt, createdBy: r.createdBy };
}

function validated(body: unknown): ExposureRuleValidation & { ok: true } {
  const result = typeof body === 'string' ? parseExposureRule(body) : body && typeof body === 'object' && !Array.isArray(body) ? validateExposureRule(body) : undefined;
  if (!result) throw problems.badRequest('send an exposure rule as a JSON object or as YAML (content-type application/yaml)');
  if (!result.ok) throw problems.unprocessable('invalid-exposure-rule', 'Invalid exposure rule', `${result.errors.length} error(s) in the rule`, { errors: result.errors });
  return result;
}

export function exposureRuleRoutes(app: FastifyInstance, db: Database, playbooks: PlaybookCatalog): void {
  app.get('/v1/exposure-rules/schema', { schema: { tags: ['exposures'], summary: 'The exposure rule JSON Schema', response: { 200: { type: 'object', additionalProperties: true } } } }, async () => exposureRuleJsonSchema);

  app.post(
    '/v1/exposure-rules',
    { schema: { tags: ['exposures'], summary: 'Register an exposure rule version (201 new, 200 the same content as an existing version)', body: ruleBody, response: { 200: ruleSummary, 201: ruleSummary, ...authProblems, 422: problem } } },
    async (request, reply) => {
      const { rule } = validated(request.body);
      const playbook = rule.playbook ?? DEFAULT_EXPOSURE_PLAYBOOK;
      if (!(await playbooks.latest(playbook))) throw problems.unprocessable('unknown-playbook', 'Unknown playbook', `no playbook ${playbook} is registered`, { errors: [{ path: 'playbook', message: 'is not registered' }] });
      const registered = await registerExposureRule(db, rule, principalOf(request).name);
      if (registered.created) await app.auditTrail.system('exposure_rule_registered', principalOf(request).name, { id: registered.id, version: registered.version, hash: registered.hash });
      return reply.code(registered.created ? 201 : 200).header('location', `/v1/exposure-rules/${registered.id}`).send(describe(registered));
    },
  );

  app.get('/v1/exposure-rules', { schema: { tags: ['exposures'], summary: 'The latest version of every exposure rule', response: { 200: { type: 'object', properties: { rules: { type: 'array', items: ruleSummary } } }, ...authProblems } } }, async () => ({
    rules: (await latestExposureRules(db)).map(describe),
  }));

  app.get<{ Params: { id: string } }>(
    '/v1/exposure-rules/:id',
    {
      schema: {
        tags: ['exposures'],
        summary: 'A rule: its versions and the first 100 changes it matched, newest first (matchesNextCursor reads on at /matches)',
        params: idParams,
        response: { 200: { type: 'object', additionalProperties: true }, ...authProblems, 404: problem },
      },
    },
    async (request) => {
      const versions = await listExposureRuleVersions(db, request.params.id);
      const latest = versions.at(-1);
      if (!latest) throw problems.notFound(`no exposure rule ${request.params.id}`);
      const { matches, nextCursor } = await matchesOfRule(db, latest.id, { limit: FIRST_MATCHES });
      return { ...describe(latest), versions: versions.map(describe), matches, matchesNextCursor: nextCursor };
    },
  );

  app.get<{ Params: { id: string }; Querystring: { limit: number; cursor?: string } }>(
    '/v1/exposure-rules/:id/matches',
    {
      schema: {
        tags: ['exposures'],
        summary: 'The changes a rule matched, newest first, page by page',
        params: idParams,
        querystring: {
          type: 'object',
          properties: { limit: { type: 'integer', minimum: 1, maximum: 500, default: 100 }, cursor: { type: 'string', maxLength: 200 } },
        },
        response: { 200: { type: 'object', properties: { matches: { type: 'array', items: matchView }, nextCursor: { type: ['string', 'null'] } } }, ...authProblems, 400: problem, 404: problem },
      },
    },
    async (request) => {
      try {
        const page = await matchesOfRule(db, request.params.id, request.query);
        // Only an empty first page asks whether the rule exists at all.
        if (page.matches.length === 0 && !request.query.cursor && (await listExposureRuleVersions(db, request.params.id)).length === 0) {
          throw problems.notFound(`no exposure rule ${request.params.id}`);
        }
        return page;
      } catch (error) {
        if (error instanceof InvalidCursorError) throw problems.badRequest(error.message);
        throw error;
      }
    },
  );

  app.post<{ Body: { rule?: unknown; ruleId?: string; change: PostedChange } }>(
    '/v1/exposure-rules/test',
    {
      schema: {
        tags: ['exposures'],
        summary: 'Test a rule (given, or registered by id) against a change: {matches, error?}; nothing is stored or opened',
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['change'],
          properties: { rule: { type: 'object' }, ruleId: idParams.properties.id, change: changeBody },
        },
        response: { 200: { type: 'object', properties: { matches: { type: 'boolean' }, error: { type: 'string' }, ruleId: { type: 'string' }, version: { type: 'integer' } } }, ...authProblems, 404: problem, 422: problem },
      },
    },
    async (request) => {
      const { rule, ruleId, change } = request.body;
      if ((rule === undefined) === (ruleId === undefined)) throw problems.badRequest('send either rule (a rule document) or ruleId (a registered rule)');
      let compiled;
      if (rule !== undefined) compiled = compileRule(validated(rule).rule, 0);
      else {
        const found = (await listExposureRuleVersions(db, ruleId!)).at(-1);
        if (!found) throw problems.notFound(`no exposure rule ${ruleId}`);
        compiled = compileRule(found.rule, found.version);
      }
      const record: ChangeRecord = toChangeRecord(change, new Date());
      return { ruleId: compiled.rule.id, version: compiled.version, ...compiled.test(record) };
    },
  );
}
