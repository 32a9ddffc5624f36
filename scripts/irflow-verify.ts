/**
 * `irflow-verify <dossier.json> [--keys keys.json [--proof proof.json [--checkpoint file.json]]]`:
 * checks an exported dossier offline, without the service: its digest and the hash chain of its
 * audit log; with `--keys` (irflow's public keys as `GET /v1/audit/keys` answered them, kept by
 * the auditor) the dossier's seal and its chain head's signature, so a dossier changed and
 * re-sealed by anyone without irflow's key fails; with `--proof` (`GET
 * /v1/incidents/:id/checkpoint-proof`) that the head a signed checkpoint holds is the dossier's
 * at that seq, and with `--checkpoint` (the file from the checkpoint folder, kept outside irflow)
 * that the proof's checkpoint is that one. Exit 0 when valid, 1 when not, 2 on bad usage.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { PublicSigningKey } from '../db/chain-signing.js';
import { verifyAgainstCheckpoint } from '../db/checkpoint-verify.js';
import type { CheckpointHeader, InclusionProof } from '../db/checkpoints.repo.js';
import { verifyDossier, type Dossier } from '../db/dossier.js';

function usage(message?: string): never {
  if (message) console.error(`irflow-verify: ${message}`);
  console.error('usage: irflow-verify <dossier.json> [--keys keys.json [--proof proof.json [--checkpoint checkpoint.json]]]');
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
  parsed = parseArgs({ allowPositionals: true, options: { keys: { type: 'string' }, proof: { type: 'string' }, checkpoint: { type: 'string' } } });
} catch (error) {
  usage(error instanceof Error ? error.message : String(error));
}
const [file, ...extra] = parsed.positionals;
if (!file || extra.length > 0) usage();
const keys = parsed.values.keys ? (readJson(parsed.values.keys) as { keys?: PublicSigningKey[] }).keys : undefined;
if (parsed.values.keys && !Array.isArray(keys)) usage(`${parsed.values.keys} holds no {"keys": [...]} (save the answer of GET /v1/audit/keys)`);
if ((parsed.values.proof || parsed.values.checkpoint) && !keys) usage('--proof and --checkpoint need --keys: a checkpoint counts only when signed by one of them');
if (parsed.values.checkpoint && !parsed.values.proof) usage('--checkpoint needs --proof (GET /v1/incidents/:id/checkpoint-proof)');
const dossier = readJson(file);
const verdict = verifyDossier(dossier, keys);
const checkpoint = parsed.values.proof
  ? verifyAgainstCheckpoint(dossier as Dossier, readJson(parsed.values.proof) as InclusionProof, keys!, parsed.values.checkpoint ? (readJson(parsed.values.checkpoint) as CheckpointHeader) : undefined)
  : undefined;
const valid = verdict.valid && (checkpoint?.valid ?? true);
console.log(JSON.stringify({ ...verdict, valid, ...(checkpoint ? { checkpoint } : {}), ...(verdict.valid && checkpoint && !checkpoint.valid ? { reason: checkpoint.reason } : {}) }, null, 2));
if (!keys) console.error('irflow-verify: signatures not checked (pass --keys with irflow\'s public keys to check the seal and the chain head)');
process.exit(valid ? 0 : 1);
