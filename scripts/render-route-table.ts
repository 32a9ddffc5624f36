/**
 * Renders the route × role table (api/access.table.ts) into README.md between its markers
 * (`npm run docs:routes`); a test fails while the README shows another table than the code.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { renderRouteTable } from '../api/access.table.js';

export const TABLE_START = '<!-- route-roles:start (npm run docs:routes writes this table) -->';
export const TABLE_END = '<!-- route-roles:end -->';

/** The README with the table between its markers replaced by the table the code has. */
export function withCurrentTable(readme: string): string {
  const start = readme.indexOf(TABLE_START);
  const end = readme.indexOf(TABLE_END);
  if (start < 0 || end < start) throw new Error(`README.md has no ${TABLE_START} … ${TABLE_END} markers`);
  return `${readme.slice(0, start + TABLE_START.length)}\n${renderRouteTable()}\n${readme.slice(end)}`;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const target = fileURLToPath(new URL('../README.md', import.meta.url));
  writeFileSync(target, withCurrentTable(readFileSync(target, 'utf8')));
  console.log(`wrote the route × role table into ${target}`);
}
