/**
 * Egress through real sockets and the machine's resolver: a request to a loopback, link-local or
 * private address - literal, or a name that resolves to one - is refused before anything reaches
 * it, unless allowed; a channel or connector configured with such an address is refused; a
 * webhook refused at delivery fails for good, naming no URL path.
 */
import { lookup } from 'node:dns/promises';
import { createServer, type Server } from 'node:http';
import { hostname } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpConnectorConfigs } from '../../activities/context/http.connector.js';
import { EgressRefusedError, egressPolicy, guardedFetch, refusedAddress } from '../../activities/egress.js';
import { createNotifyActivities } from '../../activities/notify.activities.js';
import { notificationChannels } from '../../db/schema.js';
import { startStack, type Stack } from '../support/stack.js';

let server: Server;
let port: number;
let reached = 0;
let stack: Stack;

beforeAll(async () => {
  server = createServer((_request, response) => ((reached += 1), response.writeHead(200).end('{}')));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as { port: number }).port;
  stack = await startStack({ worker: false });
});
afterAll(async () => {
  await stack?.close();
  server?.close();
});

const post = (policy = egressPolicy({})) => guardedFetch(policy);

describe('requests irflow makes', () => {
  it('never reach a refused address, literal or resolved, and reach it once allowed', async () => {
    const before = reached;
    await expect(post()(`http://127.0.0.1:${port}/hook`, { method: 'POST', body: '{}' })).rejects.toThrow(EgressRefusedError);
    for (const url of ['http://169.254.169.254/latest/meta-data/', 'http://10.0.0.1/hook', 'http://[::1]/hook']) {
      await expect(post()(url, { method: 'POST', body: '{}' }), url).rejects.toThrow(/IRFLOW_EGRESS_ALLOW/);
    }
    expect(reached, 'nothing reached the receiver').toBe(before);
    expect((await post(egressPolicy({ IRFLOW_EGRESS_ALLOW: '127.0.0.1' }))(`http://127.0.0.1:${port}/hook`, { method: 'POST', body: '{}' })).status).toBe(200);
    expect(reached).toBe(before + 1);
  });

  it('check where a name resolves when they connect', async () => {
    const name = hostname();
    const { address } = await lookup(name, { family: 4 }).catch(() => ({ address: '' }));
    if (!address || !refusedAddress(address, egressPolicy({}))) return; // this machine's name resolves to a public address: nothing to show
    const before = reached;
    const refused = await post()(`http://${name}:${port}/hook`, { method: 'POST', body: '{}' }).catch((error: unknown) => error);
    expect(String((refused as Error).cause ?? refused)).toContain(name);
    expect(reached, 'nothing reached the receiver').toBe(before);
  });

  it('refuse a channel or a connector configured with such an address', async () => {
    const channel = { id: 'metadata', type: 'webhook', url: 'http://169.254.169.254/latest/meta-data/' };
    const answer = await stack.call('PUT', '/v1/notification-channels', stack.adminToken, [channel]);
    expect(answer.status).toBe(422);
    expect(answer.body).toMatchObject({ type: 'urn:irflow:problem:egress-refused' });
    const noUrl = await stack.call('PUT', '/v1/notification-channels', stack.adminToken, [{ id: '0', type: 'webhook', url: 'http://' }]);
    expect(noUrl.status, 'a URL the schema lets through but no URL parser takes').toBe(422);
    expect(() => httpConnectorConfigs({ IRFLOW_CONTEXT_ASSET_URL: 'http://10.0.0.1/cmdb' })).toThrow(/IRFLOW_CONTEXT_ASSET_URL: 10\.0\.0\.1 is a private address/);
  });

  it('fail a webhook refused at delivery for good, naming no path', async () => {
    await stack.database.db.insert(notificationChannels).values({ id: 'inside', type: 'webhook', url: `http://127.0.0.1:${port}/services/T0/B0/SECRETPATH`, secretEnv: null });
    const { deliverNotification } = createNotifyActivities({ db: stack.database.db, env: {} });
    const failure = await deliverNotification({ deliveryId: 'd-1', channel: 'inside', payload: { incidentId: 'INC-1' } }).catch((error: unknown) => error);
    expect(failure).toMatchObject({ type: 'EgressRefused', nonRetryable: true });
    expect(String((failure as Error).message)).not.toContain('SECRETPATH');
  });
});
