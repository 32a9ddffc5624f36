/**
 * Early warning to business units, through the HTTP API on a real Temporal dev server and the
 * test database: a unit given a notification channel hears at once of a P1 exposure an exposure
 * rule opened on its assets, and its digest (asked for now; daily otherwise) lists the exposures
 * opened, the risk exceptions about to expire and the targeting up against the previous period.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nextDigestAt } from '../../workflows/digest.workflow.js';
import { eventually } from '../support/eventually.js';
import { startReceiver } from '../support/receiver.js';
import { startStack, type Stack } from '../support/stack.js';

let stack: Stack;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let engineer: string;
let feed: string;

beforeAll(async () => {
  receiver = await startReceiver();
  stack = await startStack();
  [engineer, feed] = await Promise.all([stack.token(['engineer'], 'erin'), stack.token(['ingest'], 'cloud-config')]);
  expect((await stack.call('PUT', '/v1/notification-channels', stack.adminToken, [{ id: 'retail-soc', type: 'webhook', url: `${receiver.url}/retail` }])).status).toBe(200);
  expect((await stack.call('PUT', '/v1/context/business-units', engineer, [{ id: 'retail', name: 'Retail', criticality: 'critical', channel: 'retail-soc' }, { id: 'hr', name: 'HR', criticality: 'low' }])).status).toBe(200);
  const assets = [{ id: 'pos-1', hostname: 'pos-1.shop', ips: ['10.3.0.1'], owner: 'retail-it', businessUnit: 'retail', criticality: 'critical' }];
  expect((await stack.call('PUT', '/v1/context/assets', engineer, assets)).status).toBe(200);
  const soon = new Date(Date.now() + 3 * 86_400_000).toISOString();
  expect((await stack.call('PUT', '/v1/context/risk-exceptions', engineer, [{ id: 'RX-POS', assetIds: ['pos-1'], expiresAt: soon, justification: 'old POS firmware', owner: 'retail-it' }])).status).toBe(200);
  const rule = { id: 'public-bucket', name: 'Bucket made public', severity: 'critical', when: 'change.kind == "storage" && change.after.acl == "public-read"' };
  expect((await stack.call('POST', '/v1/exposure-rules', engineer, rule)).status).toBe(201);
});
afterAll(async () => {
  await stack?.close();
  await receiver?.close();
});

const toRetail = (type: string) => receiver.received.filter((r) => r.path === '/retail' && r.json.type === type).map((r) => r.json);

describe('exposure digests to business units', () => {
  it('tells the unit at once of a P1 exposure on its assets, and lists it in the digest with the exceptions about to expire and the targeting', async () => {
    const change = { id: 'CHG-B1', kind: 'storage', title: 'receipts bucket ACL', assetIds: ['pos-1'], before: { acl: 'private' }, after: { acl: 'public-read' } };
    const posted = await stack.call('POST', '/v1/changes', feed, change);
    const incidentId = posted.body.exposures[0].incidentId as string;
    const [notice] = await eventually(async () => toRetail('exposure_opened'), (n) => n.length > 0, 'the P1 notice to retail');
    expect(notice).toMatchObject({ businessUnit: 'retail', incidentId, priority: 'P1', title: 'Bucket made public: receipts bucket ACL' });

    // The digest that lists the exposure: the one asked for here, or the daily one (06:00 UTC)
    // when that fell within the test (each covers the time since the one before).
    expect((await stack.call('POST', '/v1/business-units/digests', engineer)).status).toBe(202);
    const listing = (d: Record<string, unknown>) => (d.exposuresOpened as Array<{ incidentId: string }>).some((e) => e.incidentId === incidentId);
    const digests = await eventually(async () => toRetail('exposure_digest'), (d) => d.some(listing), 'the digest to retail');
    expect(digests.filter(listing), 'the exposure in one digest').toHaveLength(1);
    expect(digests.find(listing)).toMatchObject({
      businessUnit: 'retail',
      exposuresOpened: [{ incidentId, priority: 'P1', severity: 'critical' }],
      exposuresClosed: [],
      exceptionsExpiring: [{ id: 'RX-POS', owner: 'retail-it' }],
      targeting: { incidents: 1, previous: 0, up: true },
    });
    expect(receiver.received.filter((r) => r.path !== '/retail'), 'HR has no channel and no news').toEqual([]);
  });

  it('sends the daily digest at the configured hour (UTC), the next one after now', () => {
    expect(nextDigestAt('2026-12-04T05:59:00.000Z', 6)).toBe('2026-12-04T06:00:00.000Z');
    expect(nextDigestAt('2026-12-04T06:00:00.000Z', 6)).toBe('2026-12-05T06:00:00.000Z');
    expect(nextDigestAt('2026-12-31T23:30:00.000Z', 0)).toBe('2027-01-01T00:00:00.000Z');
  });
});
