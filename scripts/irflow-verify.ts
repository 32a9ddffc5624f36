/**
 * `irflow-verify <dossier.json> [--keys keys.json]`: checks an exported dossier offline, without
 * the service: its digest and the hash chain of its audit log, and with `--keys` (irflow's public
 * keys as `GET /v1/audit/keys` answered them, kept by the auditor) the dossier's seal and its chain
 * head's signature - so a dossier changed and re-sealed by anyone without irflow's key fails.
 * Exit 0 when valid, 1 when not, 2 on bad usage.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { PublicSigningKey } from '../db/chain-signing.js';
import { verifyDossier } from '../db/dossier.js';

function usage(message?: string): never {
  if (message) console.error(`irflow-verify: ${message}`);
  console.error('usage: irflow-verify <dossier.json> [--keys keys.json]');
  process.exit(2);
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    return usage(`cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

let parsed;
try {
  parsed = parseArgs({ allowPositionals: true, options: { keys: { type: 'string' } } });
} catch (error) {
  usage(error instanceof Error ? error.message : String(error));
}
const [file, ...extra] = parsed.positionals;
if (!file || extra.length > 0) usage();
const keys = parsed.values.keys ? (readJson(parsed.values.keys) as { keys?: PublicSigningKey[] }).keys : undefined;
if (parsed.values.keys && !Array.isArray(keys)) usage(`${parsed.values.keys} holds no {"keys": [...]} (save the answer of GET /v1/audit/keys)`);
const verdict = verifyDossier(readJson(file), keys);
console.log(JSON.stringify(verdict, null, 2));
if (!keys) console.error('irflow-verify: signatures not checked (pass --keys with irflow\'s public keys to check the seal and the chain head)');
process.exit(verdict.valid ? 0 : 1);
