/** `POST /v1/alerts/generic`: one alert or an array in irflow's own form (SIEM sources: siem-alerts.routes.ts). */
import type { FastifyInstance } from 'fastify';
import type { GenericAlert, NormalisedAlert } from '../../machines/alert.js';
import type { AlertIntake } from '../alert-intake.js';
import type { ApiMetrics } from '../metrics.js';
import { normalisedWithin } from '../input-hygiene.js';
import { problems } from '../problem.js';
import { assertMaySend } from './siem-alerts.routes.js';
import { alertSignatureCheck, signatureHeaders } from '../alert-signature.js';
import { MAX_ALERTS_PER_REQUEST, alertAccepted, authProblems, genericAlert, problem } from '../schemas.js';

export function alertRoutes(app: FastifyInstance, intake: AlertIntake, metrics: ApiMetrics, secrets: NodeJS.ProcessEnv): void {
  app.post<{ Body: GenericAlert | GenericAlert[] }>(
    '/v1/alerts/generic',
    {
      config: { maxBatch: MAX_ALERTS_PER_REQUEST },
      preParsing: alertSignatureCheck(secrets),
      schema: {
        tags: ['alerts'],
        summary: 'Post one alert or an array of alerts',
        headers: signatureHeaders,
        body: { oneOf: [genericAlert, { type: 'array', minItems: 1, maxItems: MAX_ALERTS_PER_REQUEST, items: genericAlert }] },
        response: {
          202: { oneOf: [alertAccepted, { type: 'array', items: alertAccepted }] },
          ...authProblems,
          503: problem,
        },
      },
    },
    async (request, reply) => {
      assertMaySend(request, 'generic');
      const single = !Array.isArray(request.body);
      const batch = Array.isArray(request.body) ? request.body : [request.body];
      const normalisedAt = (index: number) => normalisedWithin(request.normalised, single ? 'body' : `body.${index}`);
      const duplicates = new Set<string>();
      for (const alert of batch) {
        if (duplicates.has(alert.sourceId)) throw problems.badRequest(`sourceId ${alert.sourceId} appears twice in this request`);
        duplicates.add(alert.sourceId);
      }
      const alerts = batch.map((alert, index) => {
        const normalised = normalisedAt(index);
        const adapted: NormalisedAlert = { ...alert, source: 'generic' };
        return { ...adapted, ...(normalised.length > 0 ? { normalised } : {}) };
      });
      const results = await intake.ingest(alerts[0]!.source, alerts);
      for (const accepted of results) metrics.alertIngested('generic', accepted.deduplicated);
      return reply.code(202).send(single ? results[0] : results);
    },
  );
}
