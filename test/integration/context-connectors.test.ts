/** The connectors behind context gathering: built-in lookups on real Postgres, HTTP on loopback. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApplicationFailure } from '@temporalio/common';
import { getTableName, type Table } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createContextActivities } from '../../activities/context.activities.js';
import { builtinConnectors } from '../../activities/context/builtin.connectors.js';
import { egressPolicy, guardedFetch } from '../../activities/egress.js';
import { httpConnector, httpConnectorConfigs } from '../../activities/context/http.connector.js';
import { upsertContext } from '../../db/context.repo.js';
import type { LookupFacts } from '../../machines/context.types.js';
import { openTestDatabase, type TestDatabase } from '../support/database.js';
import { WORLD } from '../support/context.js';

let database: TestDatabase;
let server: Server;
let base: string;
const seen: Array<{ path: string; body: unknown; auth?: string }> = [];

const facts = (overrides: Partial<LookupFacts> = {}): LookupFacts => ({
  incidentId: 'INC-1',
  detectedAt: new Date().toISOString(),
  hostnames: [],
  ips: [],
  ruleIds: [],
  observables: [],
  assetIds: [],
  businessUnitIds: [],
  ...overrides,
});

beforeAll(async () => {
  database = await openTestDatabase();
  for (const [kind, rows] of Object.entries(WORLD)) {
    const k = ({ assets: 'asset', 'business-units': 'business-unit', changes: 'change', 'risk-exceptions': 'risk-exception', intel: 'intel' } as const)[kind as 'assets'];
    await upsertContext(database.db, k, rows as never);
  }
  server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      seen.push({ path: request.url!, body: JSON.parse(body), auth: request.headers.authorization });
      const reply = (status: number, text: string) => response.writeHead(status, { 'content-type': 'application/json' }).end(text);
      if (request.url === '/ok') return reply(200, JSON.stringify({ records: [WORLD.assets[0]] }));
      if (request.url === '/array') return reply(200, JSON.stringify([WORLD.assets[1]]));
      if (request.url === '/slow') return void setTimeout(() => reply(200, '[]'), 2000);
      if (request.url === '/fail') return reply(500, '{"error":"down"}');
      if (request.url === '/refuse') return reply(403, '{}');
      if (request.url === '/garbled') return reply(200, '{"records": [');
      if (request.url === '/wrong-shape') return reply(200, JSON.stringify([{ id: 'x', hostname: 'h' }]));
      reply(404, '{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server?.close();
  await database?.close();
});

describe('built-in connectors (Postgres)', () => {
  it('find assets by hostname (any case) or address, and their business units', async () => {
    const connectors = builtinConnectors(database.db);
    expect((await connectors.asset.lookup(facts({ hostnames: ['WEB01'] }), new Date())).map((a) => a.id)).toEqual(['A-WEB01']);
    expect((await connectors.asset.lookup(facts({ ips: ['10.0.5.20'] }), new Date())).map((a) => a.id)).toEqual(['A-CMS']);
    expect((await connectors['business-unit'].lookup(facts({ hostnames: ['web01'] }), new Date())).map((b) => b.id)).toEqual(['payments']);
    expect(await connectors.asset.lookup(facts(), new Date())).toEqual([]);
  });

  it('attach changes on affected assets within the window before detection only', async () => {
    const connectors = builtinConnectors(database.db);
    const changes = await connectors.change.lookup(facts({ hostnames: ['web01'] }), new Date());
    expect(changes.map((c) => c.id)).toEqual(['CHG-RECENT']);
    const wide = builtinConnectors(database.db, { changeWindowHours: 24 * 30 });
    expect((await wide.change.lookup(facts({ hostnames: ['web01'] }), new Date())).map((c) => c.id).sort()).toEqual(['CHG-OLD', 'CHG-RECENT']);
  });

  it('attach unexpired risk exceptions that cover the alert, and intel for observables and asset addresses', async () => {
    const connectors = builtinConnectors(database.db);
    expect((await connectors['risk-exception'].lookup(facts({ hostnames: ['cms01'] }), new Date())).map((r) => r.id)).toEqual(['RX-CMS']);
    expect(await connectors['risk-exception'].lookup(facts({ hostnames: ['web01'] }), new Date()), 'RX-EXPIRED has expired').toEqual([]);
    const intel = await connectors.intel.lookup(facts({ ips: ['203.0.113.9'], observables: [{ type: 'domain', value: 'Evil.Example' }] }), new Date());
    expect(intel.map((i) => i.indicator).sort()).toEqual(['203.0.113.9', 'evil.example']);
  });

  it('read the assets once for the kinds asked at once, and again for the next lookup', async () => {
    // The database as it is, with the tables each select reads from written down.
    const tables: string[] = [];
    const counted = new Proxy(database.db, {
      get(target, property) {
        const value = Reflect.get(target, property) as unknown;
        if (property !== 'select') return typeof value === 'function' ? value.bind(target) : value;
        return (...args: unknown[]) => {
          const builder = (value as (...a: unknown[]) => { from(table: Table): unknown }).apply(target, args);
          const from = builder.from.bind(builder);
          builder.from = (table: Table) => (tables.push(getTableName(table)), from(table));
          return builder;
        };
      },
    });
    const { gatherContexts } = createContextActivities(builtinConnectors(counted));
    const kinds = ['asset', 'business-unit', 'change', 'risk-exception'] as const;
    const subject = facts({ hostnames: ['cms01'] });
    const ask = () => gatherContexts({ lookups: kinds.map((kind) => ({ kind, facts: subject, policy: { timeoutMs: 5_000, attempts: 1 } })) });
    const found = (outcomes: Awaited<ReturnType<typeof ask>>) => outcomes.map((o) => ('findings' in o ? [o.kind, o.findings.map((f) => f.key)] : [o.kind, o.reason]));
    const together = await ask();
    expect(tables.filter((t) => t === 'context_assets')).toHaveLength(1);
    // The same findings as each kind asked alone.
    const alone = createContextActivities(builtinConnectors(database.db));
    for (const outcome of found(together)) {
      const [kind] = outcome as [(typeof kinds)[number]];
      expect(found(await alone.gatherContexts({ lookups: [{ kind, facts: subject, policy: { timeoutMs: 5_000, attempts: 1 } }] }))).toEqual([outcome]);
    }
    expect(found(together).find(([kind]) => kind === 'risk-exception')).toEqual(['risk-exception', ['RX-CMS']]);
    await ask();
    expect(tables.filter((t) => t === 'context_assets'), 'a read is shared only while it is in flight').toHaveLength(2);
  });

  it('answer the same findings when the activity is retried', async () => {
    const { gatherContext } = createContextActivities(builtinConnectors(database.db));
    const input = { kind: 'asset' as const, facts: facts({ hostnames: ['web01'] }) };
    const [first, again] = [await gatherContext(input), await gatherContext(input)];
    expect(again.map(({ key, record }) => ({ key, record }))).toEqual(first.map(({ key, record }) => ({ key, record })));
    expect(first[0]!.provenance).toMatchObject({ source: 'irflow:asset', ttl: 3600, fetchedAt: expect.any(String) });
  });
});

describe('HTTP connector (loopback)', () => {
  // The service under test listens on loopback: allowed, as an operator would allow an internal CMDB.
  const connector = (path: string, timeoutMs = 1000) =>
    httpConnector('asset', { url: `${base}${path}`, headers: { authorization: 'Bearer cmdb' }, timeoutMs, ttl: 60 }, guardedFetch(egressPolicy({ IRFLOW_EGRESS_ALLOW: '127.0.0.1' })));

  it('posts the facts with the configured headers and maps {records} or an array', async () => {
    expect((await connector('/ok').lookup(facts({ hostnames: ['web01'] }), new Date())).map((a) => a.id)).toEqual(['A-WEB01']);
    expect(seen.at(-1)).toMatchObject({ path: '/ok', auth: 'Bearer cmdb', body: { kind: 'asset', facts: { hostnames: ['web01'] } } });
    expect((await connector('/array').lookup(facts(), new Date())).map((a) => a.id)).toEqual(['A-CMS']);
  });

  it('gives up on a slow source at its timeout, retryably', async () => {
    const error = await connector('/slow', 200).lookup(facts(), new Date()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(ApplicationFailure);
    expect((error as Error).name).toMatch(/TimeoutError|AbortError/);
  });

  it('retries a 500 but not a 4xx, malformed JSON or records of the wrong shape', async () => {
    const fivehundred = await connector('/fail').lookup(facts(), new Date()).catch((e: unknown) => e);
    expect(fivehundred).not.toBeInstanceOf(ApplicationFailure);
    expect((fivehundred as Error).message).toContain('500');
    for (const [path, type] of [['/refuse', 'ContextSourceRefused'], ['/garbled', 'MalformedContextAnswer'], ['/wrong-shape', 'MalformedContextAnswer']] as const) {
      const error = await connector(path).lookup(facts(), new Date()).catch((e: unknown) => e);
      expect(error, path).toBeInstanceOf(ApplicationFailure);
      expect((error as ApplicationFailure).type).toBe(type);
      expect((error as ApplicationFailure).nonRetryable).toBe(true);
    }
  });

  it('is configured per kind from the environment, headers from named variables', () => {
    const env = {
      IRFLOW_CONTEXT_RISK_EXCEPTION_URL: `${base}/ok`,
      IRFLOW_CONTEXT_RISK_EXCEPTION_HEADERS: '{"Authorization":"GRC_AUTH"}',
      GRC_AUTH: 'Bearer grc',
      IRFLOW_CONTEXT_RISK_EXCEPTION_TIMEOUT_MS: '750',
      IRFLOW_EGRESS_ALLOW: '127.0.0.1',
    };
    expect(httpConnectorConfigs(env)).toEqual({ 'risk-exception': { url: `${base}/ok`, headers: { Authorization: 'Bearer grc' }, timeoutMs: 750, ttl: 3600 } });
    expect(() => httpConnectorConfigs({ ...env, GRC_AUTH: undefined })).toThrow(/GRC_AUTH/);
    expect(() => httpConnectorConfigs({ ...env, IRFLOW_EGRESS_ALLOW: undefined })).toThrow(/loopback address/);
  });
});
