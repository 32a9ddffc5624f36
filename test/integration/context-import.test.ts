/** Bulk import of context: idempotent upserts by id, row-level errors with nothing written. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contextAssets, contextIntel } from '../../db/context.schema.js';
import { WORLD } from '../support/context.js';
import { startStack, type Stack } from '../support/stack.js';

let stack: Stack;
let engineer: string;

beforeAll(async () => {
  stack = await startStack({ worker: false });
  engineer = await stack.token(['engineer'], 'eve');
});
afterAll(async () => stack?.close());

const count = async (table: typeof contextAssets | typeof contextIntel) => (await stack.database.db.select().from(table)).length;

describe('PUT /v1/context/:kind', () => {
  it('upserts every kind, idempotently by id', async () => {
    for (const [kind, rows] of Object.entries(WORLD)) {
      const response = await stack.call('PUT', `/v1/context/${kind}`, engineer, rows);
      expect(response.status, `${kind}: ${JSON.stringify(response.body)}`).toBe(200);
      // Changes also meet the exposure rules (none registered here).
      const exposures = kind === 'changes' ? { rulesTested: 0, exposures: [], failures: [], failureCount: 0 } : {};
      expect(response.body).toEqual({ kind, upserted: rows.length, ...exposures });
    }
    expect((await stack.call('PUT', '/v1/context/assets', engineer, WORLD.assets)).status).toBe(200);
    expect(await count(contextAssets)).toBe(WORLD.assets.length);
    const renamed = [{ ...WORLD.assets[0], owner: 'new-owner' }];
    await stack.call('PUT', '/v1/context/assets', engineer, renamed);
    const [row] = (await stack.database.db.select().from(contextAssets)).filter((a) => a.id === 'A-WEB01');
    expect(row!.owner).toBe('new-owner');
    await stack.call('PUT', '/v1/context/intel', engineer, [{ ...WORLD.intel[0], indicator: 'EVIL.example', confidence: 80 }]);
    expect(await count(contextIntel), 'intel is keyed by type and indicator, case-insensitively').toBe(WORLD.intel.length);
  });

  it('rejects a batch with a bad row whole, listing every row-level error, writing nothing', async () => {
    const before = await count(contextAssets);
    const rows = [
      { id: 'A-NEW', hostname: 'new01', ips: [], owner: 'x', businessUnit: 'payments', criticality: 'medium' },
      { id: 'A-BAD', hostname: 'bad01', ips: 'not-a-list', owner: 'x', businessUnit: 'payments', criticality: 'extreme', colour: 'red' },
      { id: 'A-NEW', hostname: 'dup', ips: [], owner: 'x', businessUnit: 'payments', criticality: 'low' },
    ];
    const response = await stack.call('PUT', '/v1/context/assets', engineer, rows);
    expect(response.status).toBe(422);
    expect(response.body.errors).toEqual(
      expect.arrayContaining([
        { path: '[1].ips', message: 'must be array' },
        { path: '[1].criticality', message: expect.stringContaining('must be one of') },
        { path: '[1].colour', message: 'unknown field' },
        { path: '[2]', message: expect.stringContaining('duplicates row 0') },
      ]),
    );
    expect(await count(contextAssets)).toBe(before);
  });

  it('checks each kind by its own shape', async () => {
    const bad = await stack.call('PUT', '/v1/context/risk-exceptions', engineer, [{ id: 'RX', expiresAt: 'soon', justification: 'j', owner: 'o' }]);
    expect(bad.status).toBe(422);
    expect(bad.body.errors).toEqual(expect.arrayContaining([{ path: '[0].expiresAt', message: expect.stringContaining('date-time') }, { path: '[0]', message: 'needs assetIds or ruleIds' }]));
    const intel = await stack.call('PUT', '/v1/context/intel', engineer, [{ indicator: 'x', type: 'person', verdict: 'malicious', confidence: 101, source: 's' }]);
    expect(intel.body.errors.map((e: { path: string }) => e.path)).toEqual(expect.arrayContaining(['[0].type', '[0].confidence']));
  });

  it('limits a request to 10,000 rows, needs the engineer role, and knows only five kinds', async () => {
    const many = Array.from({ length: 10_001 }, (_, i) => ({ id: `B${i}`, name: `bu ${i}`, criticality: 'low' }));
    const tooMany = await stack.call('PUT', '/v1/context/business-units', engineer, many);
    expect(tooMany.status).toBe(422);
    expect(tooMany.body.type).toBe('urn:irflow:problem:too-many-rows');
    const analyst = await stack.token(['analyst']);
    expect((await stack.call('PUT', '/v1/context/assets', analyst, [])).status).toBe(403);
    expect((await stack.call('PUT', '/v1/context/horoscopes', engineer, [])).status).toBe(400);
    const full = await stack.call('PUT', '/v1/context/business-units', engineer, many.slice(0, 10_000));
    expect(full.body.upserted).toBe(10_000);
  });
});
