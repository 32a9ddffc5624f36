/**
 * `GET /metrics` in the Prometheus text format (prom-client). Two kinds of series:
 * - this process's own: HTTP latency per route, alerts ingested per source and outcome (sum
 *   them over API processes), and, when the worker runs in this process, enrichment lookups;
 * - the service's state read from the database: open incidents by stage and priority, SLA
 *   breaches, escalations, transitions, enrichment outcomes - two queries at most every
 *   `cacheMs` (15 s), however often and by how many scrapers it is scraped. Every process reports
 *   the same global figure for these, so aggregate them with max, not sum.
 * It takes a token with the `metrics` role (or admin): the figures are the SOC's own.
 */
import type { FastifyInstance } from 'fastify';
import { sql } from 'drizzle-orm';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Database } from '../db/client.js';
import { selectRows } from '../db/sql-rows.js';
import { authProblems } from './schemas.js';

export interface ApiMetrics {
  registry: Registry;
  alertIngested(source: string, deduplicated: boolean): void;
}

type Totals = { breaches: number; escalations: number; accepted: number; refused: number; gathered: number; failed: number; duplicates: number };

/** A counter whose value is a total the database keeps (monotonic: rows are never deleted). */
function databaseCounter(registry: Registry, name: string, help: string, labelNames: string[], read: () => Promise<[Record<string, string>, number][]>) {
  return new Counter({
    name,
    help,
    labelNames,
    registers: [registry],
    async collect() {
      this.reset();
      for (const [labels, value] of await read()) this.inc(labels, value);
    },
  });
}

/** How long the database-backed series are kept between reads (IRFLOW_METRICS_CACHE_MS). */
export const METRICS_CACHE_MS = 15_000;

/**
 * `load`, at most once every `ms`; callers meanwhile share the last answer, and a read in flight
 * is shared whatever `ms` (one scrape asks for the totals once per counter).
 */
function cachedFor<T>(ms: number, load: () => Promise<T>): () => Promise<T> {
  let last: { at: number; value: Promise<T>; settled: boolean } | undefined;
  return () => {
    const now = performance.now();
    if (!last || (last.settled && now - last.at >= ms)) {
      const read = { at: now, value: load(), settled: false };
      read.value.then(
        () => (read.settled = true),
        () => (last = last === read ? undefined : last), // a failed read is not kept
      );
      last = read;
    }
    return last.value;
  };
}

export function installMetrics(app: FastifyInstance, db: Database, registry = new Registry(), cacheMs = METRICS_CACHE_MS): ApiMetrics {
  collectDefaultMetrics({ register: registry, prefix: 'irflow_' });

  const http = new Histogram({
    name: 'irflow_http_request_duration_seconds',
    help: 'API request latency by method, route and status',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    http.observe({ method: request.method, route, status: String(reply.statusCode) }, reply.elapsedTime / 1000);
  });

  const alerts = new Counter({ name: 'irflow_alerts_ingested_total', help: 'Alerts this API process accepted, by source and outcome', labelNames: ['source', 'outcome'], registers: [registry] });

  const openIncidents = cachedFor(cacheMs, () =>
    selectRows<{ stage: string; priority: string; count: number }>(db, sql`select stage, priority, count(*)::int as count from incidents where open group by 1, 2`),
  );
  new Gauge({
    name: 'irflow_open_incidents',
    help: 'Open incidents by stage and priority',
    labelNames: ['stage', 'priority'],
    registers: [registry],
    async collect() {
      const rows = await openIncidents();
      this.reset();
      for (const row of rows) this.set({ stage: row.stage, priority: row.priority }, Number(row.count));
    },
  });

  // One query for the database totals, shared by the counters below and kept for cacheMs.
  const totals = cachedFor(cacheMs, async () => {
    const [row] = await selectRows<Totals>(
      db,
      sql`select coalesce(sum(breaches), 0)::float8 as breaches, coalesce(sum(escalations), 0)::float8 as escalations,
            coalesce(sum(accepted_attempts), 0)::float8 as accepted, coalesce(sum(refused_attempts), 0)::float8 as refused,
            coalesce(sum(lookups_gathered), 0)::float8 as gathered, coalesce(sum(lookups_failed), 0)::float8 as failed,
            coalesce(sum(duplicates_suppressed), 0)::float8 as duplicates
          from incident_measures`,
    );
    return row!;
  });
  databaseCounter(registry, 'irflow_sla_breaches_total', 'SLA clocks breached', [], async () => [[{}, (await totals()).breaches]]);
  databaseCounter(registry, 'irflow_sla_escalations_total', 'Escalation steps fired', [], async () => [[{}, (await totals()).escalations]]);
  databaseCounter(registry, 'irflow_transitions_total', 'Transition attempts, accepted or refused by a gate', ['outcome'], async () => {
    const t = await totals();
    return [
      [{ outcome: 'accepted' }, t.accepted],
      [{ outcome: 'refused' }, t.refused],
    ];
  });
  databaseCounter(registry, 'irflow_enrichment_lookups_total', 'Context lookups, gathered or failed', ['outcome'], async () => {
    const t = await totals();
    return [
      [{ outcome: 'gathered' }, t.gathered],
      [{ outcome: 'failed' }, t.failed],
    ];
  });
  databaseCounter(registry, 'irflow_alerts_deduplicated_total', 'Alerts suppressed as duplicates', [], async () => [[{}, (await totals()).duplicates]]);

  const exposition = { description: 'Prometheus text exposition', content: { 'text/plain': { schema: { type: 'string' } } } } as const;
  app.get('/metrics', { schema: { tags: ['health'], summary: 'Prometheus metrics (a token with the metrics role)', response: { 200: exposition, ...authProblems } } }, async (_request, reply) => {
    const text = await registry.metrics();
    return reply.type(registry.contentType).send(text);
  });

  return {
    registry,
    alertIngested: (source, deduplicated) => alerts.inc({ source, outcome: deduplicated ? 'deduplicated' : 'accepted' }),
  };
}
