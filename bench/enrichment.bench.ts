/**
 * Enrichment latency: an incident touching 50 assets, against 100,000 imported assets and
 * 10,000 changes. Compares the median latency of irflow's enrichment (the built-in connectors
 * of asset, business-unit, change, risk-exception and intel, run in parallel as the workflow
 * runs them, through the activity) with a bare indexed SQL lookup of the same rows, measured in
 * the same run. Goal: ratio ≤ 2.
 *
 *   npm run bench                       # PGlite in memory
 *   DATABASE_URL=postgres://… npm run bench   # a fresh database on that server, dropped after
 */
import { sql } from 'drizzle-orm';
import { createContextActivities } from '../activities/context.activities.js';
import { builtinConnectors } from '../activities/context/builtin.connectors.js';
import { upsertContext } from '../db/context.repo.js';
import type { AssetRecord, ChangeRecord, LookupFacts } from '../machines/context.types.js';
import { CONTEXT_KINDS } from '../machines/playbook.types.js';
import { median, openBenchDatabase } from './bench-database.js';
import { ms, reportFigure, times } from './report.js';

const ASSETS = 100_000;
const CHANGES = 10_000;
const AFFECTED = 50;
const RUNS = Number(process.env.BENCH_RUNS ?? 40);

const ip = (i: number) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;

async function main(): Promise<void> {
  const { handle, drop } = await openBenchDatabase();
  const { db } = handle;
  try {
    const loadStart = performance.now();
    await upsertContext(db, 'business-unit', Array.from({ length: 50 }, (_, i) => ({ id: `bu-${i}`, name: `Unit ${i}`, criticality: 'medium' as const })));
    const assets: AssetRecord[] = Array.from({ length: ASSETS }, (_, i) => ({
      id: `A-${i}`,
      hostname: `host-${i}`,
      ips: [ip(i)],
      owner: `team-${i % 300}`,
      businessUnit: `bu-${i % 50}`,
      criticality: (['low', 'medium', 'high', 'critical'] as const)[i % 4]!,
    }));
    for (let i = 0; i < assets.length; i += 10_000) await upsertContext(db, 'asset', assets.slice(i, i + 10_000));
    const now = Date.now();
    const changes: ChangeRecord[] = Array.from({ length: CHANGES }, (_, i) => ({
      id: `CHG-${i}`,
      assetIds: [`A-${(i * 7) % ASSETS}`, `A-${(i * 13) % ASSETS}`],
      title: `change ${i}`,
      plannedStart: new Date(now - ((i % 400) + 1) * 3600_000).toISOString(),
      plannedEnd: new Date(now - (i % 400) * 3600_000).toISOString(),
      status: 'implemented',
    }));
    await upsertContext(db, 'change', changes);
    // Statistics, as autovacuum would gather them; the GIN indexes need no vacuum (no fastupdate).
    await db.execute(sql`analyze`);
    console.log(`loaded ${ASSETS} assets, ${CHANGES} changes in ${((performance.now() - loadStart) / 1000).toFixed(1)} s (${handle.kind})`);

    // 50 affected assets, named half by hostname and half by address, spread over the table.
    const picked = Array.from({ length: AFFECTED }, (_, i) => (i * 1999) % ASSETS);
    const facts: LookupFacts = {
      incidentId: 'INC-BENCH',
      detectedAt: new Date(now).toISOString(),
      hostnames: picked.filter((_, i) => i % 2 === 0).map((i) => `host-${i}`),
      ips: picked.filter((_, i) => i % 2 === 1).map(ip),
      ruleIds: ['bench-rule'],
      observables: [],
      assetIds: [],
      businessUnitIds: [],
    };
    const { gatherContext } = createContextActivities(builtinConnectors(db));
    const enrich = () => Promise.all(CONTEXT_KINDS.map((kind) => gatherContext({ kind, facts })));

    // The same rows by hand: one indexed query per table, no connector, no provenance.
    const hostList = sql.join(facts.hostnames.map((h) => sql`${h}`), sql`, `);
    const ipArray = sql`array[${sql.join(facts.ips.map((x) => sql`${x}`), sql`, `)}]::text[]`;
    const from = new Date(now - 72 * 3600_000).toISOString();
    const bare = async () => {
      const found = await db.execute(sql`select id, business_unit from context_assets where lower(hostname) in (${hostList}) or ips && ${ipArray}`);
      const rows = ((found as { rows?: unknown[] }).rows ?? (found as unknown as unknown[])) as Array<{ id: string; business_unit: string }>;
      const ids = sql`array[${sql.join(rows.map((r) => sql`${r.id}`), sql`, `)}]::text[]`;
      const units = sql.join([...new Set(rows.map((r) => r.business_unit))].map((u) => sql`${u}`), sql`, `);
      await Promise.all([
        db.execute(sql`select * from context_business_units where id in (${units})`),
        db.execute(sql`select * from context_changes where asset_ids && ${ids} and planned_start <= ${facts.detectedAt} and planned_end >= ${from}`),
        db.execute(sql`select * from context_risk_exceptions where expires_at > now() and (asset_ids && ${ids} or rule_ids && array['bench-rule']::text[])`),
      ]);
      return rows.length;
    };

    if (process.env.BENCH_EXPLAIN) {
      const plan = await db.execute(sql`explain analyze select id, business_unit from context_assets where lower(hostname) in (${hostList}) or ips && ${ipArray}`);
      console.log(((plan as { rows?: unknown[] }).rows ?? (plan as unknown as unknown[])).map((r) => Object.values(r as object)[0]).join('\n'));
    }
    const check = await enrich();
    const assetsFound = check[CONTEXT_KINDS.indexOf('asset')]!.length;
    const bareFound = await bare();
    if (assetsFound !== AFFECTED || bareFound !== AFFECTED) throw new Error(`expected ${AFFECTED} assets, enrichment found ${assetsFound}, bare SQL ${bareFound}`);

    const timings = { enrichment: [] as number[], bare: [] as number[] };
    for (let run = 0; run < RUNS; run += 1) {
      // Alternate the order so neither side always runs on a warmer cache.
      for (const [name, fn] of run % 2 ? ([['bare', bare], ['enrichment', enrich]] as const) : ([['enrichment', enrich], ['bare', bare]] as const)) {
        const start = performance.now();
        await fn();
        timings[name].push(performance.now() - start);
      }
    }
    const e = median(timings.enrichment);
    const b = median(timings.bare);
    console.log(`enrichment of ${AFFECTED} assets (${CONTEXT_KINDS.length} kinds, ${check.flat().length} findings): median ${e.toFixed(2)} ms over ${RUNS} runs`);
    console.log(`bare indexed SQL lookup of the same rows: median ${b.toFixed(2)} ms`);
    console.log(`ratio enrichment / bare SQL: ${(e / b).toFixed(2)}× (goal ≤ 2×)`);
    reportFigure({ figure: `enrichment of ${AFFECTED} assets`, irflow: ms(e), baseline: `indexed SQL ${ms(b)}`, ratio: times(e / b), goal: '≤ 2x', met: e / b <= 2 });
  } finally {
    await drop();
  }
}

await main();
