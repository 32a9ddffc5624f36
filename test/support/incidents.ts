/** Helpers that speak the API the way a user does. */
import { expect } from 'vitest';
import type { Stack } from './stack.js';

export const FIELDS_FOR: Record<string, Record<string, string>> = {
  close_false_positive: { resolution: 'authorised scanner' },
  close_duplicate: { resolution: 'same as an earlier incident' },
  resolve: { rootCause: 'phished credentials reused on VPN' },
  close: { lessonsLearned: 'enforce phishing-resistant MFA on VPN' },
};

export const FULL_WALK = ['acknowledge', 'start_analysis', 'contain', 'eradicate', 'recover', 'resolve', 'close'];

let counter = 0;
export function alertBody(overrides: Record<string, unknown> = {}) {
  counter += 1;
  return {
    sourceId: `alert-${Date.now()}-${counter}`,
    title: 'Outbound beacon to known C2',
    severity: 'high',
    rule: { id: `rule-${counter}`, name: 'C2 beacon' },
    assets: [{ hostname: `host-${counter}` }],
    ...overrides,
  };
}

export async function postAlert(stack: Stack, token: string, body: unknown) {
  const response = await stack.call('POST', '/v1/alerts/generic', token, body);
  expect(response.status, JSON.stringify(response.body)).toBe(202);
  return response.body;
}

export async function transition(stack: Stack, token: string, incidentId: string, event: string, extra: Record<string, unknown> = {}) {
  return stack.call('POST', `/v1/incidents/${incidentId}/transitions`, token, { event, ...extra });
}

export async function walkTo(stack: Stack, token: string, incidentId: string, events: string[]) {
  let view;
  for (const event of events) {
    const response = await transition(stack, token, incidentId, event, FIELDS_FOR[event] ? { fields: FIELDS_FOR[event] } : {});
    expect(response.status, `${event}: ${JSON.stringify(response.body)}`).toBe(200);
    view = response.body;
  }
  return view;
}

/** An incident opened by an alert without assets or rule, acknowledged and closed as a false positive by `analyst`. */
export async function closedIncident(stack: Stack, analyst: string): Promise<string> {
  const { incidentId } = await postAlert(stack, await stack.token(['ingest']), alertBody({ assets: undefined, rule: undefined }));
  await walkTo(stack, analyst, incidentId, ['acknowledge', 'close_false_positive']);
  return incidentId;
}

/** Audit events other than context lookups, which run beside the lifecycle and land at any moment. */
export function withoutLookups<T extends { type: string }>(events: T[]): T[] {
  return events.filter((e) => e.type !== 'context_gathered' && e.type !== 'enrichment_failed');
}

/** Audit events of the lifecycle itself: no lookups, no SLA clock or notification steps. */
export function lifecycleOnly<T extends { type: string }>(events: T[]): T[] {
  return withoutLookups(events).filter((e) => !e.type.startsWith('sla_') && !e.type.startsWith('notification_'));
}

/**
 * The history once `count` context lookups (gathered or failed) are recorded and the log has
 * stopped growing (a lookup's priority change is recorded just after it).
 */
export async function afterLookups(stack: Stack, token: string, incidentId: string, count: number) {
  let last = -1;
  for (let i = 0; i < 200; i += 1) {
    const events = (await stack.call('GET', `/v1/incidents/${incidentId}/history`, token)).body?.events as
      | Array<{ seq: number; type: string; actor: string; data: any }>
      | undefined;
    if (events && events.length - withoutLookups(events).length >= count) {
      if (events.length === last) return events;
      last = events.length;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`incident ${incidentId} never recorded ${count} context lookups`);
}
