/**
 * The Fastify app factory. `buildApp` wires plugins and routes around dependencies it is given;
 * it opens nothing itself. The server entry (runtime/) only listens and closes.
 */
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyInstance } from 'fastify';
import { DEFAULT_ABUSE_LIMITS, installAbuseLimits } from './abuse-limits.js';
import { createAlertDelivery } from './alert-delivery.js';
import { createAlertIntake, startRedelivery } from './alert-intake.js';
import { installAuth, redactedUrl } from './auth.js';
import { installAuditTrail } from './audit-trail.js';
import { installInputHygiene } from './input-hygiene.js';
import type { ApiDeps } from './deps.js';
import { createIncidentCommands } from './incident-commands.js';
import { installMetrics } from './metrics.js';
import { installResponseDocs } from './openapi.js';
import { installProblemHandlers, problems } from './problem.js';
import { installValidation } from './validation.js';
import { observable, pendingApproval } from './schemas.js';
import { caseTask, incidentObservable } from './casework.schemas.js';
import { noteRoutes } from './routes/notes.routes.js';
import { evidenceRoutes } from './routes/evidence.routes.js';
import { observableRoutes } from './routes/observables.routes.js';
import { linkRoutes } from './routes/links.routes.js';
import { installConsole } from './console.js';
import multipart from '@fastify/multipart';
import { MAX_EVIDENCE_BYTES, missingEvidenceStore } from '../runtime/evidence-store.js';
import { taskRoutes } from './routes/tasks.routes.js';
import { alertRoutes } from './routes/alerts.routes.js';
import { siemAlertRoutes } from './routes/siem-alerts.routes.js';
import { alertReadRoutes } from './routes/alert-reads.routes.js';
import { apiKeyRoutes } from './routes/api-keys.routes.js';
import { auditRoutes } from './routes/audit.routes.js';
import { auditChainRoutes } from './routes/audit-chains.routes.js';
import { checkpointRoutes } from './routes/checkpoints.routes.js';
import { channelRoutes } from './routes/channels.routes.js';
import { egressPolicy } from '../activities/egress.js';
import { changeRoutes } from './routes/changes.routes.js';
import { contextRoutes } from './routes/context.routes.js';
import { exposureRuleRoutes } from './routes/exposure-rules.routes.js';
import { riskExceptionRoutes } from './routes/risk-exceptions.routes.js';
import { simulationRoutes } from './routes/simulations.routes.js';
import { createSimulationRuns } from './staffing-runs.js';
import { createExposureResponder } from './exposures.js';
import { createDigestDesk, startDigestsOnReady } from './digests.js';
import { approvalRoutes, assignRoutes, workLogRoutes } from './routes/incident-actions.routes.js';
import { healthRoutes } from './routes/health.routes.js';
import { historyRoutes } from './routes/history.routes.js';
import { incidentRoutes } from './routes/incidents.routes.js';
import { kpiRoutes } from './routes/kpis.routes.js';
import { reportRoutes } from './routes/reports.routes.js';
import { playbookRoutes } from './routes/playbooks.routes.js';

/** Large enough for a batch of alerts with their raw payloads; larger bodies get 413. */
export const BODY_LIMIT_BYTES = 1024 * 1024;

/**
 * How long a request may take to arrive whole (headers and body), so that a client trickling
 * bytes cannot hold a connection forever: two minutes carry 50 MiB of SIEM alerts at 3.5 Mbit/s.
 */
export const DEFAULT_REQUEST_TIMEOUT_MS = 120_000;

/** Log fields replaced by [redacted] wherever they appear (pino redact paths, one level of nesting). */
export const REDACTED_LOG_PATHS = [
  'authorization',
  'token',
  'secret',
  'password',
  '*.authorization',
  '*.token',
  '*.secret',
  '*.password',
  'headers.authorization',
  'headers.cookie',
  '*.headers.authorization',
  '*.headers.cookie',
  'req.headers.authorization',
  'req.headers.cookie',
];

/** Logger options whose request lines never show a `?token=`. */
function withRedaction(logger: ApiDeps['logger']): ApiDeps['logger'] {
  if (!logger) return false;
  const options = typeof logger === 'object' ? logger : {};
  const req = (request: { method: string; url: string; hostname?: string; ip?: string }) => ({ method: request.method, url: redactedUrl(request.url), host: request.hostname, remoteAddress: request.ip });
  // Request lines carry no headers (the serializer above); anything else that logs a header, a
  // token or a secret field by name has it replaced.
  const redact = { paths: REDACTED_LOG_PATHS, censor: '[redacted]' };
  return { ...options, redact, serializers: { ...((options as { serializers?: object }).serializers ?? {}), req } };
}

export async function buildApp(deps: ApiDeps): Promise<FastifyInstance> {
  // Path parameters are checked by their schemas (a 400 that says which): the router's own limit is far above them.
  const requestTimeout = deps.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const app = Fastify({
    logger: withRedaction(deps.logger),
    bodyLimit: BODY_LIMIT_BYTES,
    // Above any path parameter's schema limit even when every character comes percent-encoded as
    // four bytes (an observable's value: 1,000 characters), so the schema answers 400, not the router 414.
    routerOptions: { maxParamLength: 16_384 },
    requestTimeout,
    // Node checks for late requests every connectionsCheckingInterval; headers alone may not take longer than the whole.
    // The request line of such a path fits the header limit too (Node's default is 16 KB).
    http: { headersTimeout: Math.min(60_000, requestTimeout), connectionsCheckingInterval: Math.min(30_000, Math.max(250, requestTimeout / 4)), maxHeaderSize: 32 * 1024 },
    // Idle keep-alive connections are closed after this long (Node's default, said out loud).
    keepAliveTimeout: 5_000,
  });
  installProblemHandlers(app);
  await installAbuseLimits(app, { ...DEFAULT_ABUSE_LIMITS, ...deps.limits });
  installResponseDocs(app);
  installValidation(app, [pendingApproval, observable, caseTask, incidentObservable]);
  installAuth(app, deps.db, { oidc: deps.oidc });
  installAuditTrail(app, deps.db, deps.keyRing?.signer);
  installInputHygiene(app);
  // Evidence uploads: one file a request, streamed (never buffered), at most 2 GiB.
  await app.register(multipart, { limits: { fileSize: MAX_EVIDENCE_BYTES, files: 1, fields: 5, fieldSize: 4096, parts: 6 } });

  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: 'irflow', version: '1', description: 'Security incident response orchestration' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
  });
  // The docs page carries its own content security policy (hashes of its inline scripts), not the API's.
  await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: true });

  const delivery = createAlertDelivery({ db: deps.db, temporal: deps.temporal, taskQueue: deps.taskQueue });
  const intake = createAlertIntake({ db: deps.db, delivery, router: deps.playbooks.router, deliveryBudgetMs: deps.deliveryBudgetMs, maxQueuedAlerts: deps.maxQueuedAlerts, log: app.log });
  // Every API process delivers what a crash, an outage or a large batch left queued.
  const stopRedelivery = startRedelivery(intake, deps.redeliveryEveryMs, app.log);
  app.addHook('onClose', async () => stopRedelivery());
  app.addHook('onClose', async () => deps.replayer?.close?.());
  const commands = createIncidentCommands({ temporal: deps.temporal, taskQueue: deps.taskQueue, updateDeadlineMs: deps.updateDeadlineMs });

  const metrics = installMetrics(app, deps.db, deps.metrics, deps.metricsCacheMs);
  app.addSchema(pendingApproval);
  app.addSchema(observable);
  app.addSchema(caseTask);
  app.addSchema(incidentObservable);
  healthRoutes(app, deps);
  const secrets = deps.secrets ?? process.env;
  alertRoutes(app, intake, metrics, secrets);
  siemAlertRoutes(app, intake, metrics, secrets);
  alertReadRoutes(app, deps.db);
  incidentRoutes(app, { db: deps.db, commands, playbooks: deps.playbooks });
  approvalRoutes(app, commands, deps.db);
  assignRoutes(app, commands);
  workLogRoutes(app, commands);
  noteRoutes(app, commands, deps.db);
  taskRoutes(app, commands, deps.db);
  observableRoutes(app, commands, deps.db);
  linkRoutes(app, commands, deps.db, intake);
  evidenceRoutes(app, commands, deps.db, deps.evidence ?? missingEvidenceStore(() => problems.unavailable('this API process keeps no evidence (IRFLOW_EVIDENCE_DIR)')));
  historyRoutes(app, deps.db, commands, deps.keyRing);
  auditRoutes(app, deps.db, commands, deps.replayer, deps.keyRing);
  auditChainRoutes(app, deps.db, deps.keyRing);
  checkpointRoutes(app, deps.db, deps.keyRing, deps.checkpoints);
  playbookRoutes(app, deps.db);
  const digests = createDigestDesk(deps.temporal, deps.taskQueue);
  startDigestsOnReady(app, digests);
  const exposures = createExposureResponder({ db: deps.db, commands, playbooks: deps.playbooks, digests, log: app.log });
  contextRoutes(app, deps.db, exposures);
  changeRoutes(app, deps.db, exposures, digests);
  exposureRuleRoutes(app, deps.db, deps.playbooks);
  riskExceptionRoutes(app, deps.db, deps.temporal, deps.taskQueue);
  simulationRoutes(app, deps.db, createSimulationRuns(deps.db));
  channelRoutes(app, deps.db, deps.egress ?? egressPolicy());
  apiKeyRoutes(app, deps.db, secrets);
  kpiRoutes(app, deps.db, deps.hourlyRate);
  reportRoutes(app, deps.db, deps.hourlyRate);
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  await installConsole(app, deps.consoleDist);

  return app;
}
