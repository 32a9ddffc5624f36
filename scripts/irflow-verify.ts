/**
 * `irflow-verify <dossier.json>`: checks an exported dossier offline, without the service: its
 * digest and the hash chain of its audit log. Exit 0 when valid, 1 when not, 2 on bad usage.
 */
import { readFileSync } from 'node:fs';
import { verifyDossier } from '../db/dossier.js';

const file = process.argv[2];
if (!file || process.argv.length > 3) {
  console.error('usage: irflow-verify <dossier.json>');
  process.exit(2);
}
let parsed: unknown;
try {
  parsed = JSON.parse(readFileSync(file, 'utf8'));
} catch (error) {
  console.error(`irflow-verify: cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(2);
}
const verdict = verifyDossier(parsed);
console.log(JSON.stringify(verdict, null, 2));
process.exit(verdict.valid ? 0 : 1);
