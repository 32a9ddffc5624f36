/**
 * The console's queue with 10,000 open incidents, in Debian's Chromium: the time from opening the
 * queue to its first rows, and to all 10,000 loaded by scrolling (pages of 100 read as the end of
 * the virtual list comes near), the rows in the page meanwhile, and the built bundle's size.
 * The incidents are written straight into the read model (their workflows are not what is
 * measured); the API and the console are the real ones. No goal: figures for the note.
 *
 *   npm run bench:console          (needs /usr/bin/chromium, or IRFLOW_CHROMIUM)
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { Client, Connection } from '@temporalio/client';
import { sql } from 'drizzle-orm';
import { chromium } from 'playwright-core';
import { CONSOLE_DIST } from '../api/console.js';
import { buildApp } from '../api/app.js';
import { createPlaybookCatalog } from '../api/playbook-catalog.js';
import { createApiKey } from '../db/api-keys.repo.js';
import { loadShippedPlaybooks } from '../runtime/shipped-playbooks.js';
import { freePort } from '../runtime/ports.js';
import { openBenchDatabase } from './bench-database.js';
import { reportFigure } from './report.js';

const OPEN = Number(process.env.BENCH_QUEUE_INCIDENTS ?? 10_000);
const CHROMIUM = process.env.IRFLOW_CHROMIUM ?? '/usr/bin/chromium';

function bundleSize(): { raw: number; gzip: number } {
  const assets = join(CONSOLE_DIST, 'assets');
  const entry = readdirSync(assets).filter((f) => /^index-.*\.(js|css)$/.test(f));
  return entry.reduce((sum, f) => {
    const bytes = readFileSync(join(assets, f));
    return { raw: sum.raw + bytes.length, gzip: sum.gzip + gzipSync(bytes).length };
  }, { raw: 0, gzip: 0 });
}

async function main(): Promise<void> {
  if (!existsSync(CHROMIUM) || !existsSync(CONSOLE_DIST)) {
    console.log(`bench:console skipped: ${existsSync(CHROMIUM) ? 'the console is not built (npm run console:build)' : `no Chromium at ${CHROMIUM}`}`);
    return;
  }
  const { handle, drop } = await openBenchDatabase();
  const { db } = handle;
  try {
    await loadShippedPlaybooks(db);
    await db.execute(sql`insert into incidents (id, title, stage, severity, priority, playbook_id, playbook_version, alert_count, open, created_at, updated_at, last_seq, last_hash, clocks, sla_next_deadline, priority_reason)
      select 'INC-Q' || lpad(i::text, 6, '0'), 'queued incident ' || i, 'triage', (array['low','medium','high','critical'])[1 + i % 4], 'P' || (1 + i % 5), 'default', 1, 1, true,
        now() - i * interval '1 minute', now(), 3, 'bench', '[]'::jsonb, now() + (i % 600) * interval '1 minute', jsonb_build_object('cell', 'bench')
      from generate_series(1, ${OPEN}::int) i`);
    const app = await buildApp({ db, temporal: new Client({ connection: Connection.lazy({ address: '127.0.0.1:1' }) }), taskQueue: 'bench', playbooks: createPlaybookCatalog(db), limits: { perWindow: 1_000_000, inFlightPerToken: 1_000 } });
    const api = await app.listen({ port: await freePort(), host: '127.0.0.1' });
    const { token } = await createApiKey(db, 'bench', ['analyst']);
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      await page.goto(`${api}/`);
      await page.getByLabel('API key').fill(token);
      const started = performance.now();
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.locator('table.queue tbody tr a').first().waitFor();
      const firstRows = performance.now() - started;
      const scroller = page.locator('.queue-scroll');
      let rendered = 0;
      for (;;) {
        await scroller.evaluate((node) => node.scrollTo(0, node.scrollHeight));
        const caption = (await page.locator('table.queue caption').textContent()) ?? '';
        rendered = Math.max(rendered, await page.locator('table.queue tbody tr').count());
        if (caption.startsWith(`${OPEN} open incidents`) && !caption.includes('loaded so far')) break;
        if (performance.now() - started > 600_000) throw new Error(`the queue had not loaded ${OPEN} incidents after 10 minutes: ${caption}`);
        await page.waitForTimeout(50);
      }
      const allLoaded = performance.now() - started;
      const size = bundleSize();
      console.log(`queue of ${OPEN}: first rows ${firstRows.toFixed(0)} ms, all loaded by scrolling ${(allLoaded / 1000).toFixed(1)} s, at most ${rendered} rows in the page; bundle ${(size.raw / 1024).toFixed(0)} KB, ${(size.gzip / 1024).toFixed(0)} KB gzip (${handle.kind})`);
      reportFigure({ figure: `console queue, ${OPEN} open incidents`, irflow: `first rows ${firstRows.toFixed(0)} ms; all ${OPEN} in ${(allLoaded / 1000).toFixed(1)} s; ≤ ${rendered} rows in the page`, baseline: '-', ratio: '-', goal: `bundle ${(size.gzip / 1024).toFixed(0)} KB gzip` });
    } finally {
      await browser.close();
      await app.close();
    }
  } finally {
    await drop();
  }
}

await main();
