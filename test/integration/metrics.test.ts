/** `GET /metrics`: Prometheus text with the service's state and this process's own series. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../api/app.js';
import { createPlaybookCatalog } from '../../api/playbook-catalog.js';
import { alertBody, postAlert } from '../support/incidents.js';
import { startStack, type Stack } from '../support/stack.js';

let stack: Stack;

beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => stack?.close());

/** The value of one sample, by metric name and exact label set as Prometheus prints it. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : undefined;
}

describe('GET /metrics', () => {
  it('counts incidents, transitions, alerts, enrichment and HTTP latency', async () => {
    const ingest = await stack.token(['ingest']);
    const analyst = await stack.token(['analyst']);
    const alert = alertBody({ severity: 'high' });
    const { incidentId } = await postAlert(stack, ingest, alert);
    await postAlert(stack, ingest, alert);
    const move = (event: string) => stack.call('POST', `/v1/incidents/${incidentId}/transitions`, analyst, { event });
    expect((await move('acknowledge')).status).toBe(200);
    expect((await move('recover')).status).toBe(409);

    // Lookups run beside the lifecycle: wait until the asset lookup is recorded.
    const scraper = await stack.token(['metrics'], 'prometheus');
    const scrape = async () => (await stack.call('GET', '/metrics', scraper)).body as string;
    await expect.poll(async () => sample(await scrape(), 'irflow_enrichment_lookup_duration_seconds_count{kind="asset",outcome="gathered"}'), { timeout: 15_000 }).toBeGreaterThanOrEqual(1);
    await expect.poll(async () => sample(await scrape(), 'irflow_enrichment_lookups_total{outcome="gathered"}'), { timeout: 15_000 }).toBeGreaterThanOrEqual(1);
    const response = await stack.app.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${scraper}` } });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/plain/);
    const text = response.body;
    const { priority } = (await stack.call('GET', `/v1/incidents/${incidentId}`, analyst)).body;
    expect(sample(text, `irflow_open_incidents{stage="triage",priority="${priority}"}`)).toBe(1);
    expect(sample(text, 'irflow_transitions_total{outcome="accepted"}')).toBe(1);
    expect(sample(text, 'irflow_transitions_total{outcome="refused"}')).toBe(1);
    expect(sample(text, 'irflow_alerts_ingested_total{source="generic",outcome="accepted"}')).toBe(1);
    expect(sample(text, 'irflow_alerts_ingested_total{source="generic",outcome="deduplicated"}')).toBe(1);
    expect(sample(text, 'irflow_alerts_deduplicated_total')).toBe(1);
    expect(sample(text, 'irflow_sla_breaches_total')).toBe(0);
    expect(sample(text, 'irflow_http_request_duration_seconds_count{method="POST",route="/v1/alerts/generic",status="202"}')).toBe(2);
    expect(sample(text, 'irflow_http_request_duration_seconds_count{method="POST",route="/v1/incidents/:id/transitions",status="409"}')).toBe(1);
  });

  it('takes a token with the metrics role, and nothing else but admin', async () => {
    expect((await stack.app.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(401);
    expect((await stack.call('GET', '/metrics', await stack.token(['analyst']))).status).toBe(403);
    expect((await stack.call('GET', '/metrics', stack.adminToken)).status).toBe(200);
  });

  it('reads the database-backed series at most once a cache period, however often it is scraped', async () => {
    const app = await buildApp({ db: stack.database.db, temporal: stack.client, taskQueue: stack.taskQueue, playbooks: createPlaybookCatalog(stack.database.db), metricsCacheMs: 3_600_000 });
    try {
      const scrape = async () => (await app.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${stack.adminToken}` } })).body;
      const open = (text: string) => text.split('\n').filter((l) => l.startsWith('irflow_open_incidents{')).reduce((n, l) => n + Number(l.split(' ')[1]), 0);
      const before = open(await scrape());
      const ingest = await stack.token(['ingest']);
      const { incidentId } = await postAlert(stack, ingest, alertBody({ rule: { id: 'metrics-cache' } }));
      await expect.poll(async () => (await stack.call('GET', `/v1/incidents/${incidentId}`, stack.adminToken)).status).toBe(200);
      expect(open(await scrape()), 'the open-incidents gauge comes from the cache').toBe(before);
      expect(open((await stack.call('GET', '/metrics', stack.adminToken)).body as string), 'a process without the cache sees the new incident').toBe(before + 1);
    } finally {
      await app.close();
    }
  });
});
