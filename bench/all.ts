/**
 * `npm run bench`: every benchmark against its baseline, one after another (each on a machine to
 * itself), then one table of every figure with a goal - figure, irflow, baseline, ratio, goal,
 * met or missed. Embedded (PGlite) by default; with DATABASE_URL on that Postgres server, where
 * the worker benchmark (one worker process under steady load) runs too.
 *
 *   npm run bench                      BENCH_ONLY=transitions,replay runs only those
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { FIGURE_PREFIX, type Figure } from './report.js';

const BENCHMARKS = ['enrichment', 'kpis', 'replay', 'intake', 'ingest', 'storm', 'record', 'transitions', 'exposure-rules', 'staffing', 'staffing-fit', 'evidence', 'console', 'worker', 'scale'] as const;
const NEEDS_POSTGRES = new Set(['worker', 'scale']);
const root = fileURLToPath(new URL('..', import.meta.url));

function run(name: string): Promise<{ figures: Figure[]; code: number | null }> {
  const figures: Figure[] = [];
  const child = spawn(process.execPath, ['--import', 'tsx', `bench/${name}.bench.ts`], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  let pending = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    const lines = (pending + chunk).split('\n');
    pending = lines.pop()!;
    for (const line of lines) {
      if (line.startsWith(FIGURE_PREFIX)) figures.push(JSON.parse(line.slice(FIGURE_PREFIX.length)) as Figure);
      else console.log(`  ${line}`);
    }
  });
  return new Promise((resolve) => child.once('exit', (code) => resolve({ figures, code })));
}

const only = process.env.BENCH_ONLY?.split(',').map((s) => s.trim());
const chosen = BENCHMARKS.filter((name) => (!only || only.includes(name)) && (process.env.DATABASE_URL || !NEEDS_POSTGRES.has(name)));
const rows: Figure[] = [];
const failed: string[] = [];
for (const name of chosen) {
  console.log(`\n== bench:${name}`);
  const started = performance.now();
  const { figures, code } = await run(name);
  console.log(`  (bench:${name} took ${((performance.now() - started) / 1000).toFixed(0)} s)`);
  rows.push(...figures);
  if (code !== 0) failed.push(`${name} (exit ${code})`);
}

const cells = (f: Figure) => [f.figure, f.irflow, f.baseline, f.ratio, f.goal, f.met === undefined ? '-' : f.met ? 'met' : 'MISSED'];
console.log(`\nAll benchmarks (${process.env.DATABASE_URL ? 'Postgres' : 'PGlite'}; ratios from the same run)\n`);
console.log('| figure | irflow | baseline | ratio | goal | |');
console.log('|---|---|---|---|---|---|');
for (const row of rows) console.log(`| ${cells(row).join(' | ')} |`);
if (!process.env.DATABASE_URL) console.log('\n(bench:worker needs DATABASE_URL: one worker process shares no PGlite)');
if (failed.length > 0) {
  console.error(`\nbenchmarks that did not finish: ${failed.join(', ')}`);
  process.exitCode = 1;
}
