#!/usr/bin/env node
/**
 * Builds the console (console/dist) unless it is newer than everything it is built from, so
 * `npm start` and `npm run api` rebuild only after a change. The build goes to a folder of its
 * own and is moved into place whole: a server started meanwhile never serves half a build.
 *   node scripts/console-build.mjs [--force]
 */
import { existsSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../console/', import.meta.url));
const dist = join(root, 'dist');

function newest(path) {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...readdirSync(path).map((name) => newest(join(path, name))));
}

// An image built with the console already in it carries no sources (and no vite): nothing to do.
const sources = ['src', 'index.html', 'vite.config.ts', 'tsconfig.json'].map((name) => join(root, name)).filter((path) => existsSync(path));
const builtAt = existsSync(join(dist, 'index.html')) ? statSync(join(dist, 'index.html')).mtimeMs : 0;
if (sources.length === 0 || (!process.argv.includes('--force') && builtAt > Math.max(...sources.map(newest)))) process.exit(0);

const { build } = await import('vite');

const staging = join(root, `.dist-${process.pid}`);
await build({ configFile: join(root, 'vite.config.ts'), logLevel: 'warn', build: { outDir: staging, emptyOutDir: true } });
const old = join(root, `.dist-old-${process.pid}`);
if (existsSync(dist)) renameSync(dist, old);
renameSync(staging, dist);
rmSync(old, { recursive: true, force: true });
console.error(`console built into ${dist}`);
