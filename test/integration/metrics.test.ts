/** `GET /metrics`: Prometheus text with the service's state and this process's own series. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
    const scrape = async () => (await stack.app.inject({ method: 'GET', url: '/metrics' })).body;
    await expect.poll(async () => sample(await scrape(), 'irflow_enrichment_lookup_duration_seconds_count{kind="asset",outcome="gathered"}'), { timeout: 15_000 }).toBeGreaterThanOrEqual(1);
    await expect.poll(async () => sample(await scrape(), 'irflow_enrichment_lookups_total{outcome="gathered"}'), { timeout: 15_000 }).toBeGreaterThanOrEqual(1);
    const response = await stack.app.inject({ method: 'GET', url: '/metrics' });
    expect(response.statusCode, 'no token needed').toBe(200);
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
});
