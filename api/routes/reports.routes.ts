/** `GET /v1/reports[/:name]`: the service catalogue's reports, JSON or CSV; `GET /v1/maturity`: the CMMI level measured. */
import type { FastifyInstance } from 'fastify';
import type { Database } from '../../db/client.js';
import type { KpiWindow } from '../../db/kpis.reads.js';
import { maturityFacts } from '../../db/maturity.reads.js';
import { changeCorrelation, controlEffectiveness, costOfResponse, highRiskOperations } from '../../db/reports.operations.js';
import { policyConflicts, riskOutcomes } from '../../db/reports.risk.js';
import { policyViolations, rootCauses, targeting, threatTrends, type ReportSections } from '../../db/reports.trends.js';
import { assessMaturity } from '../../machines/maturity.criteria.js';
import { REPORT_DEFINITIONS, REPORT_NAMES, type ReportName } from '../../machines/report.definitions.js';
import { sendCsv, toCsv, wantsCsv } from '../csv.js';
import { problems } from '../problem.js';
import { parseWindow, windowQuery } from '../report-window.js';
import { authProblems, jsonOrCsv, problem } from '../schemas.js';


type ReportQuery = (db: Database, window: KpiWindow, hourlyRate?: number) => Promise<ReportSections>;
const REPORTS: Record<ReportName, ReportQuery> = {
  'root-causes': rootCauses,
  'policy-violations': policyViolations,
  'threat-trends': threatTrends,
  targeting,
  'change-correlation': changeCorrelation,
  'control-effectiveness': controlEffectiveness,
  'high-risk-operations': highRiskOperations,
  cost: costOfResponse,
  'risk-outcomes': riskOutcomes,
  'policy-conflicts': policyConflicts,
};

/** CSV of a report's `rows`: the columns are the union of the rows' keys, in first-seen order. */
export function reportCsv(rows: Record<string, unknown>[]): string {
  const header = [...new Set(rows.flatMap((row) => Object.keys(row)))];
  return toCsv(header, rows.map((row) => header.map((h) => row[h] as string | number | boolean | null)));
}

export function reportRoutes(app: FastifyInstance, db: Database, hourlyRate?: number): void {
  const listing = { type: 'object', properties: { reports: { type: 'array', items: { type: 'object', additionalProperties: true } } } } as const;
  app.get('/v1/reports', { schema: { tags: ['reports'], summary: 'The reports there are', response: { 200: listing, ...authProblems } } }, async () => ({
    reports: REPORT_NAMES.map((name) => ({ name, ...REPORT_DEFINITIONS[name], href: `/v1/reports/${name}` })),
  }));

  app.get<{ Params: { name: string }; Querystring: { from?: string; to?: string } }>(
    '/v1/reports/:name',
    {
      schema: {
        tags: ['reports'],
        summary: 'One report over incidents created in [from, to); CSV (its rows) with Accept: text/csv',
        params: { type: 'object', required: ['name'], properties: { name: { type: 'string', maxLength: 64 } } },
        querystring: { type: 'object', additionalProperties: false, properties: windowQuery },
        response: { 200: jsonOrCsv({ type: 'object', additionalProperties: true }), ...authProblems, 400: problem, 404: problem },
      },
    },
    async (request, reply) => {
      const name = request.params.name as ReportName;
      const query = REPORTS[name];
      if (!Object.hasOwn(REPORTS, name) || !query) throw problems.notFound(`no report ${request.params.name}; reports: ${REPORT_NAMES.join(', ')}`);
      const window = parseWindow(request.query);
      const sections = await query(db, window, hourlyRate);
      if (wantsCsv(request)) return sendCsv(reply, name, reportCsv(sections.rows));
      return { report: name, ...REPORT_DEFINITIONS[name], from: window.from.toISOString(), to: window.to.toISOString(), ...sections };
    },
  );

  app.get<{ Querystring: { from?: string; to?: string } }>(
    '/v1/maturity',
    {
      schema: {
        tags: ['reports'],
        summary: 'The CMMI level the operation demonstrates over incidents created in [from, to), with every criterion, its figure and whether it passes',
        querystring: { type: 'object', additionalProperties: false, properties: windowQuery },
        response: { 200: { type: 'object', additionalProperties: true }, ...authProblems, 400: problem },
      },
    },
    async (request) => {
      const window = parseWindow(request.query);
      const assessment = assessMaturity(await maturityFacts(db, window));
      return { from: window.from.toISOString(), to: window.to.toISOString(), ...assessment };
    },
  );
}
