/**
 * `POST /v1/alerts/{wazuh,elastic,splunk,ocsf,sentinel}`: each takes the body its source's own
 * delivery produces, unchanged - JSON (one alert, an array, a source's wrapper) or NDJSON. The
 * body is read as text, parsed here, made storable document by document and adapted whole before
 * anything is stored: one bad alert or one broken NDJSON line rejects the request, naming where.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { SOURCE_ADAPTERS, adaptBody, parsePayload, type SiemSource } from '../../machines/adapters/index.js';
import type { NormalisedAlert } from '../../machines/alert.js';
import type { AlertAccepted, AlertIntake } from '../alert-intake.js';
import { alertSignatureCheck, signatureHeaders } from '../alert-signature.js';
import { principalOf } from '../auth.js';
import { storableInput } from '../input-hygiene.js';
import type { ApiMetrics } from '../metrics.js';
import { problems } from '../problem.js';
import { MAX_ALERTS_PER_REQUEST, alertAccepted, authProblems, problem } from '../schemas.js';

/** A SIEM's batch of 500 alerts with large log lines (Wazuh `full_log`) fits; larger bodies get 413. */
export const SIEM_BODY_LIMIT_BYTES = 50 * 1024 * 1024;

/** A key bound to sources may post to those only. */
export function assertMaySend(request: FastifyRequest, source: string): void {
  const key = principalOf(request);
  if (key.sources && !key.sources.includes(source)) {
    throw problems.forbidden(`the key ${key.name} may post alerts from ${key.sources.join(', ')} only, not ${source}`);
  }
}

/** A document as Postgres can store it, and the places (source field paths) that were changed. */
function cleanDocument(doc: unknown): { doc: unknown; normalised: string[] } {
  const { value, normalisation } = storableInput(doc, 'payload');
  return { doc: value, normalised: normalisation.paths.map((p) => p.replace(/^payload\.?/, '') || 'payload') };
}

/** Ingests each distinct alert once; a repeat within the body is answered as the repeat it is. */
async function ingestDistinct(intake: AlertIntake, source: SiemSource, alerts: NormalisedAlert[]): Promise<AlertAccepted[]> {
  const distinct = [...new Map(alerts.map((a) => [a.sourceId, a])).values()];
  const answers = new Map((await intake.ingest(source, distinct)).map((answer, i) => [distinct[i]!.sourceId, answer]));
  const seen = new Set<string>();
  return alerts.map((alert) => {
    const answer = answers.get(alert.sourceId)!;
    const repeat = seen.has(alert.sourceId);
    seen.add(alert.sourceId);
    return repeat ? { ...answer, deduplicated: true } : answer;
  });
}

const DESCRIPTIONS: Record<SiemSource, string> = {
  wazuh: 'A Wazuh alert as an integratord script posts it, an array of them, or NDJSON (alerts.json, Filebeat, Logstash).',
  elastic: 'An Elastic Security alert document as a Kibana webhook connector posts it, {"alerts": [...]}, or an array.',
  splunk: "A Splunk webhook alert action's body ({sid, search_name, result, ...}). Accepts ?token= in place of the Authorization header.",
  ocsf: 'An OCSF Detection Finding (2004) or Security Finding (2001), or an array of them.',
  sentinel: "A Microsoft Sentinel incident as a Logic App posts its trigger body (or the incident itself), or an array.",
};

export function siemAlertRoutes(app: FastifyInstance, intake: AlertIntake, metrics: ApiMetrics, secrets: NodeJS.ProcessEnv): void {
  void app.register(async (scope) => {
    // The body arrives as text whatever its type: JSON and NDJSON are told apart by parsing.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'string', bodyLimit: SIEM_BODY_LIMIT_BYTES }, (_request, body, done) => done(null, body));
    for (const source of Object.keys(SOURCE_ADAPTERS) as SiemSource[]) {
      scope.post<{ Body: string }>(
        `/v1/alerts/${source}`,
        {
          bodyLimit: SIEM_BODY_LIMIT_BYTES,
          config: { queryToken: true },
          preParsing: alertSignatureCheck(secrets),
          schema: {
            tags: ['alerts'],
            summary: `Post ${source} alerts as ${source} sends them`,
            description: `${DESCRIPTIONS[source]} At most ${MAX_ALERTS_PER_REQUEST} alerts per request.`,
            consumes: ['application/json', 'application/x-ndjson'],
            headers: signatureHeaders,
            // Read as text and parsed by the route (JSON, else NDJSON): the schema only says so.
            body: { type: 'string', description: `the body as ${source} sends it: JSON, or NDJSON (one alert a line)` },
            querystring: { type: 'object', properties: { token: { type: 'string', maxLength: 256, description: 'the ingest token, for senders that cannot set headers' } } },
            response: { 202: { oneOf: [alertAccepted, { type: 'array', items: alertAccepted }] }, ...authProblems, 413: problem, 503: problem },
          },
        },
        async (request, reply) => {
          assertMaySend(request, source);
          const text = typeof request.body === 'string' ? request.body : '';
          const parsed = parsePayload(text);
          if (!parsed.ok) throw problems.badRequest(`the body is neither JSON nor NDJSON ${source} alerts; nothing was stored`, parsed.errors);
          const adapted = adaptBody(SOURCE_ADAPTERS[source], parsed.value, MAX_ALERTS_PER_REQUEST, cleanDocument);
          if (!adapted.ok) {
            if (adapted.tooMany) throw problems.payloadTooLarge(adapted.errors[0]!.message);
            throw problems.badRequest(`the body holds ${source} alerts irflow cannot read; nothing was stored`, adapted.errors);
          }
          const results = await ingestDistinct(intake, source, adapted.alerts);
          for (const accepted of results) metrics.alertIngested(source, accepted.deduplicated);
          return reply.code(202).send(adapted.single ? results[0] : results);
        },
      );
    }
  });
}
