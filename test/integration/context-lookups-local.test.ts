/**
 * Lookups are tried first as a local activity in the workflow task that asked for them: a source
 * that answers at once is recorded with no activity task at all; a slow one goes on to the
 * `gatherContexts` activity with the attempts its policy has left; one that refuses for good is
 * recorded as failed without being asked again. On the real Temporal dev server, with an HTTP
 * intel source on loopback.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { defaultPayloadConverter } from '@temporalio/common';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { afterLookups, alertBody, postAlert } from '../support/incidents.js';
import { createReplayer } from '../../runtime/replayer.js';
import { startStack, workflowBundle, type Stack } from '../support/stack.js';

let stack: Stack;
let server: Server;
let token: string;
const asked: string[] = [];
const replayer = createReplayer({ workflowBundle });

beforeAll(async () => {
  server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      const indicator = /(fast|slow|refused)\.example/.exec(body)?.[0] ?? 'other';
      asked.push(indicator);
      const reply = (status: number) => response.writeHead(status, { 'content-type': 'application/json' }).end(status === 200 ? '[]' : '{}');
      if (indicator === 'slow.example') return void setTimeout(() => reply(200), 1_500);
      reply(indicator === 'refused.example' ? 403 : 200);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/intel`;
  stack = await startStack({ connectorEnv: { IRFLOW_CONTEXT_INTEL_URL: url, IRFLOW_CONTEXT_INTEL_TIMEOUT_MS: '10000' } });
  token = await stack.token(['ingest', 'analyst']);
});
afterAll(async () => {
  await replayer.close();
  await stack?.close();
  server?.close();
});

/** The `gatherContexts` activities the incident's run scheduled, as their inputs. */
async function lookupActivities(incidentId: string): Promise<Array<{ lookups: Array<{ kind: string; policy: { attempts: number } }> }>> {
  const history = await stack.client.workflow.getHandle(incidentId).fetchHistory();
  return (history.events ?? [])
    .map((event) => event.activityTaskScheduledEventAttributes)
    .filter((scheduled) => scheduled?.activityType?.name === 'gatherContexts')
    .map((scheduled) => defaultPayloadConverter.fromPayload(scheduled!.input!.payloads![0]!));
}

/** The markers of the incident's run: local activities by type, patches by id, in the order they ran. */
async function markers(incidentId: string): Promise<{ localActivities: string[]; patches: string[] }> {
  const history = await stack.client.workflow.getHandle(incidentId).fetchHistory();
  const recorded = (history.events ?? []).map((event) => event.markerRecordedEventAttributes).filter((marker) => marker !== null && marker !== undefined);
  const detail = (marker: (typeof recorded)[number], key: string) => defaultPayloadConverter.fromPayload(marker.details![key]!.payloads![0]!) as Record<string, string>;
  return {
    localActivities: recorded.filter((m) => m.markerName === 'core_local_activity').map((m) => detail(m, 'data').activity_type!),
    patches: recorded.filter((m) => m.markerName === 'core_patch').map((m) => detail(m, 'patch-data').id!),
  };
}

/** Opens an incident whose intel lookup asks for `domain`; its history replays against today's code however the lookups were timed. */
async function openWith(domain: string) {
  const { incidentId } = await postAlert(stack, token, alertBody({ assets: [{ hostname: `${domain}-host` }], observables: [{ type: 'domain', value: domain }] }));
  const events = await afterLookups(stack, token, incidentId, 5);
  const history = JSON.parse(historyToJSON(await stack.client.workflow.getHandle(incidentId).fetchHistory()));
  expect(await replayer(history, incidentId)).toEqual({ deterministic: true });
  return { incidentId, events, intel: events.filter((e) => e.data?.kind === 'intel') };
}

describe('lookups tried locally first', () => {
  it('records what answers at once in the task that asked, with no activity task', async () => {
    const { incidentId, events, intel } = await openWith('fast.example');
    expect(events.filter((e) => e.type === 'context_gathered')).toHaveLength(5);
    expect(intel).toMatchObject([{ type: 'context_gathered' }]);
    expect(await lookupActivities(incidentId)).toEqual([]);
    // The opening steps wait for the quick lookups and are recorded with their findings, once;
    // one patch marker stands for every behaviour a new run has.
    expect(await markers(incidentId)).toEqual({ localActivities: ['gatherContexts', 'recordIncidentSteps'], patches: ['incident-baseline-2026-12-06'] });
  });

  it('hands a slow source to the activity with the attempts it has left', async () => {
    const { incidentId, events, intel } = await openWith('slow.example');
    expect(events.filter((e) => e.type === 'enrichment_failed')).toEqual([]);
    expect(intel).toMatchObject([{ type: 'context_gathered', actor: 'context:intel' }]);
    const activities = await lookupActivities(incidentId);
    expect(activities).toHaveLength(1);
    expect(activities[0]!.lookups.map(({ kind, policy }) => ({ kind, attempts: policy.attempts }))).toEqual([{ kind: 'intel', attempts: 2 }]);
    // The quick try gave up at its bound; the activity asked again and got the answer.
    expect(asked.filter((indicator) => indicator === 'slow.example').length).toBeGreaterThanOrEqual(2);
  });

  it('records a source that refuses for good as failed, without asking it again', async () => {
    const { incidentId, intel } = await openWith('refused.example');
    expect(intel).toMatchObject([{ type: 'enrichment_failed', data: { reason: expect.stringContaining('403') } }]);
    expect(await lookupActivities(incidentId)).toEqual([]);
    expect(asked.filter((indicator) => indicator === 'refused.example')).toHaveLength(1);
  });
});
