/**
 * The lookups golden walk (patch gather-context-locally-first): an incident opened by an alert
 * whose intel source answers late, so its quick local try gives up and the `gatherContexts`
 * activity takes the kind over; a joining alert whose lookups all answer in the local try; then
 * stage entries with their lookups, to closed. Returns the incident's history (Temporal's JSON).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'vitest';
import { afterLookups, alertBody, postAlert, walkTo, FULL_WALK } from '../support/incidents.js';
import { startStack } from '../support/stack.js';

export const LOOKUPS_GOLDEN_ID = 'lookups';

export async function recordLookupsWalk(): Promise<{ workflowId: string; history: unknown }> {
  const source = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      const reply = () => response.writeHead(200, { 'content-type': 'application/json' }).end('[]');
      if (body.includes('slow.example')) setTimeout(reply, 1_500);
      else reply();
    });
  });
  await new Promise<void>((resolve) => source.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(source.address() as AddressInfo).port}/intel`;
  const stack = await startStack({ connectorEnv: { IRFLOW_CONTEXT_INTEL_URL: url, IRFLOW_CONTEXT_INTEL_TIMEOUT_MS: '10000' } });
  try {
    const ingest = await stack.token(['ingest']);
    const analyst = await stack.token(['analyst'], 'alice');
    const auditor = await stack.token(['auditor'], 'audrey');
    const key = { rule: { id: 'golden-lookups' }, assets: [{ hostname: 'golden-lookups-host' }] };
    const { incidentId } = await postAlert(stack, ingest, alertBody({ ...key, observables: [{ type: 'domain', value: 'slow.example' }] }));
    await afterLookups(stack, analyst, incidentId, 5);
    await postAlert(stack, ingest, alertBody({ ...key, observables: [{ type: 'domain', value: 'fast.example' }] }));
    await afterLookups(stack, analyst, incidentId, 6);
    expect((await walkTo(stack, analyst, incidentId, FULL_WALK)).stage).toBe('closed');
    await new Promise((resolve) => setTimeout(resolve, 500)); // let the last stage's lookups land
    const history = (await stack.call('GET', `/v1/incidents/${incidentId}/export`, auditor)).body.temporalHistory;
    const scheduled = (history as { events: Array<{ activityTaskScheduledEventAttributes?: { activityType?: { name?: string } } }> }).events.filter(
      (event) => event.activityTaskScheduledEventAttributes?.activityType?.name === 'gatherContexts',
    );
    expect(scheduled.length, 'the slow source was handed over to the activity').toBeGreaterThan(0);
    return { workflowId: incidentId, history };
  } finally {
    await stack.close();
    source.close();
  }
}
