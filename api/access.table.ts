/**
 * Who may call what: the one route × role table. The route guards take their roles from it
 * (auth.ts fills each route's `config.roles` when it is registered, and refuses to start when a
 * route is missing here or a row names no route), the generated test walks every cell of it, and
 * `npm run docs:routes` renders it into the README. `admin` may call everything.
 */
import { ROLES, type Role } from '../db/api-keys.repo.js';
import { ALERT_SOURCES } from '../machines/alert.js';

/** People who read incidents. */
const INCIDENT_READERS = ['analyst', 'auditor', 'approver'] as const;
/** People who read histories (and so an incident as of an instant): approvers do not. */
export const HISTORY_READERS = ['analyst', 'auditor'] as const;
/** Measures and reports. */
const MEASURE_READERS = ['analyst', 'auditor'] as const;
/** Playbooks are read by everyone who works incidents or writes playbooks. */
const PLAYBOOK_READERS = ['engineer', 'analyst', 'auditor', 'approver'] as const;

export type RouteKey = `${'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'} ${string}`;

const ALERT_INTAKE = Object.fromEntries(ALERT_SOURCES.map((source) => [`POST /v1/alerts/${source}`, ['ingest']])) as Record<RouteKey, readonly Role[]>;

export const ROUTE_ROLES: Readonly<Record<RouteKey, readonly Role[]>> = {
  ...ALERT_INTAKE,
  'GET /v1/alerts/:alertId': ['analyst', 'auditor'],
  'GET /v1/incidents/:id/alerts': ['analyst', 'auditor'],

  'GET /v1/incidents': INCIDENT_READERS,
  'GET /v1/incidents/:id': INCIDENT_READERS,
  'POST /v1/incidents': ['analyst'],
  'POST /v1/incidents/:id/transitions': ['analyst'],
  // Which of these may decide is the playbooks' word (their approver roles), asked by the route.
  'POST /v1/incidents/:id/approvals': ['approver', 'analyst', 'engineer'],
  'POST /v1/incidents/:id/assign': ['analyst'],
  'POST /v1/incidents/:id/work-log': ['analyst'],

  // Case work: analysts write it, everyone who reads incidents reads it (restricted notes aside).
  'POST /v1/incidents/:id/notes': ['analyst'],
  'GET /v1/incidents/:id/notes': INCIDENT_READERS,
  'GET /v1/incidents/:id/notes/:noteId/versions': INCIDENT_READERS,
  'PATCH /v1/incidents/:id/notes/:noteId': ['analyst'],
  'DELETE /v1/incidents/:id/notes/:noteId': ['analyst'],
  'POST /v1/incidents/:id/tasks': ['analyst'],
  'GET /v1/incidents/:id/tasks': INCIDENT_READERS,
  'PATCH /v1/incidents/:id/tasks/:taskId': ['analyst'],
  'GET /v1/tasks': INCIDENT_READERS,
  'GET /v1/incidents/:id/timeline': INCIDENT_READERS,
  'POST /v1/incidents/:id/observables': ['analyst'],
  'GET /v1/incidents/:id/observables': INCIDENT_READERS,
  'GET /v1/observables/:type/:value': INCIDENT_READERS,
  'POST /v1/incidents/:id/links': ['analyst'],
  'GET /v1/incidents/:id/links': INCIDENT_READERS,
  'POST /v1/incidents/:id/merge': ['analyst'],
  'POST /v1/incidents/:id/evidence': ['analyst'],
  'GET /v1/incidents/:id/evidence': INCIDENT_READERS,
  // The bytes and the custody chain: those who work or audit the incident.
  'GET /v1/incidents/:id/evidence/:evidenceId/content': ['analyst', 'auditor'],
  'GET /v1/incidents/:id/evidence/:evidenceId/custody': ['analyst', 'auditor'],
  'POST /v1/incidents/:id/evidence/:evidenceId/custody': ['analyst'],
  'POST /v1/incidents/:id/evidence/:evidenceId/dispose': ['analyst'],

  'GET /v1/incidents/:id/history': HISTORY_READERS,
  'GET /v1/incidents/:id/history/verify': ['auditor'],
  'POST /v1/incidents/:id/replay': ['auditor'],
  'GET /v1/incidents/:id/export': ['auditor'],
  'GET /v1/access-log': ['auditor'],
  'GET /v1/audit/system': ['auditor'],
  'GET /v1/audit/system/verify': ['auditor'],
  'POST /v1/audit/checkpoints': ['auditor'],
  'GET /v1/audit/checkpoints': ['auditor'],
  'GET /v1/audit/checkpoints/:seq': ['auditor'],
  'GET /v1/incidents/:id/checkpoint-proof': ['auditor'],
  // Public keys are for anyone who checks what irflow signed.
  'GET /v1/audit/keys': ['engineer', 'analyst', 'auditor', 'approver'],
  // Who a token is, for the console: the roles of people (machine keys keep nothing but their own routes).
  'GET /v1/me': ['engineer', 'analyst', 'auditor', 'approver'],

  'GET /v1/playbooks/schema': ['engineer', 'analyst', 'auditor', 'approver', 'ingest'],
  'POST /v1/playbooks/validate': ['engineer'],
  'POST /v1/playbooks': ['engineer'],
  'GET /v1/playbooks': PLAYBOOK_READERS,
  'GET /v1/playbooks/:id': PLAYBOOK_READERS,
  'GET /v1/playbooks/:id/versions': PLAYBOOK_READERS,
  'GET /v1/playbooks/:id/versions/:version': PLAYBOOK_READERS,
  'GET /v1/playbooks/:id/diagram': PLAYBOOK_READERS,
  'GET /v1/playbooks/:id/versions/:version/diagram': PLAYBOOK_READERS,

  'PUT /v1/context/:kind': ['engineer'],
  // Exposure response: engineers write the rules, a CMDB or cloud-config feed (an ingest key) posts changes.
  'POST /v1/changes': ['ingest', 'engineer'],
  'POST /v1/business-units/digests': ['engineer'],
  'GET /v1/exposure-rules/schema': PLAYBOOK_READERS,
  'POST /v1/exposure-rules': ['engineer'],
  'GET /v1/exposure-rules': PLAYBOOK_READERS,
  'GET /v1/exposure-rules/:id': PLAYBOOK_READERS,
  'GET /v1/exposure-rules/:id/matches': PLAYBOOK_READERS,
  'POST /v1/exposure-rules/test': ['engineer'],
  // Risk exceptions: analysts and engineers ask; the lifecycle judges who may approve (its roles, never the requester).
  'POST /v1/risk-exceptions': ['analyst', 'engineer'],
  'POST /v1/risk-exceptions/:id/decisions': ['approver', 'analyst', 'engineer'],
  'GET /v1/risk-exceptions': ['analyst', 'auditor', 'approver', 'engineer'],
  'GET /v1/risk-exceptions/:id': ['analyst', 'auditor', 'approver', 'engineer'],
  'GET /v1/kpis': MEASURE_READERS,
  'GET /v1/kpis/definitions': MEASURE_READERS,
  'GET /v1/reports': MEASURE_READERS,
  'GET /v1/reports/:name': MEASURE_READERS,
  'GET /v1/maturity': MEASURE_READERS,
  'GET /v1/simulations/model': MEASURE_READERS,
  'POST /v1/simulations/staffing': MEASURE_READERS,
  'POST /v1/simulations/backtest': MEASURE_READERS,
  'GET /v1/simulations/runs/:id': MEASURE_READERS,
  'GET /v1/health/incidents': ['analyst', 'auditor'],

  'POST /v1/api-keys': ['admin'],
  'GET /v1/api-keys': ['admin'],
  'DELETE /v1/api-keys/:id': ['admin'],
  'PUT /v1/notification-channels': ['admin'],
  'GET /v1/notification-channels': ['admin'],

  'GET /metrics': ['metrics'],
};

/** Routes outside `/v1` that still need a token (the rest outside `/v1` are public: health, docs). */
export const GUARDED_OUTSIDE_V1 = new Set(['/metrics']);

/** Does a route need a row in the table? */
export function isGuarded(url: string): boolean {
  return url.startsWith('/v1') || GUARDED_OUTSIDE_V1.has(url);
}

/** May a holder of exactly `role` call the route? (`admin` may call everything.) */
export function allows(key: RouteKey, role: Role): boolean {
  return role === 'admin' || (ROUTE_ROLES[key] ?? []).includes(role);
}

/** The table as Markdown, a row a route and a column a role, for the README. */
export function renderRouteTable(): string {
  const header = `| route | ${ROLES.join(' | ')} |`;
  const rule = `|---|${ROLES.map(() => ':-:').join('|')}|`;
  const rows = (Object.keys(ROUTE_ROLES) as RouteKey[]).map((key) => `| \`${key}\` | ${ROLES.map((role) => (allows(key, role) ? '✓' : '')).join(' | ')} |`);
  return [header, rule, ...rows].join('\n');
}
