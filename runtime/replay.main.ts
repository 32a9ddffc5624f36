/**
 * `npm run replay -- <incidentId | dossier.json> [--keys keys.json]`: the auditor's replay from
 * the command line. On a dossier it works offline: digest and hash chain (with `--keys`, irflow's
 * public keys, the seal and the chain head's signature too), the workflow history against today's
 * code, the lifecycle machine of the pinned playbook over the audit log. On an incident id it
 * reads the same from the service's database and Temporal (DATABASE_URL, TEMPORAL_ADDRESS) and
 * checks the chain and its signed head against `--keys`, else the data folder's public keys.
 * Exit 0 when everything holds, 1 when something does not, 2 on bad usage.
 */
import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { openDatabase } from '../db/client.js';
import type { PublicSigningKey } from '../db/chain-signing.js';
import { verifySignedChain } from '../db/chain-verify.js';
import { verifyDossier, type Dossier } from '../db/dossier.js';
import { findIncident, incidentHistory } from '../db/incidents.reads.js';
import { playbookVersion } from '../db/playbooks.repo.js';
import type { PlaybookDocument } from '../machines/playbook.types.js';
import type { AuditEvent } from '../machines/incident.types.js';
import { replayLifecycle, replayReport } from '../machines/replay.js';
import { loadConfig } from './config.js';
import { createReplayer } from './replayer.js';
import { keyFiles } from './signing-keys.js';

interface Material {
  incidentId: string;
  stage: string;
  playbook: PlaybookDocument;
  events: AuditEvent[];
  history: unknown;
  integrity?: { valid: boolean };
}

async function fromDossier(file: string, keys?: PublicSigningKey[]): Promise<Material> {
  const dossier = JSON.parse(readFileSync(file, 'utf8')) as Dossier;
  return {
    incidentId: dossier.incident.id,
    stage: String(dossier.incident.stage),
    playbook: dossier.playbook.document as PlaybookDocument,
    events: dossier.events,
    history: dossier.temporalHistory,
    integrity: verifyDossier(dossier, keys),
  };
}

async function fromService(incidentId: string, given?: PublicSigningKey[]): Promise<Material> {
  const config = loadConfig();
  if (!config.databaseUrl || !config.temporalAddress) throw new Error('replaying by incident id needs DATABASE_URL and TEMPORAL_ADDRESS (or export a dossier and replay that)');
  const database = await openDatabase({ url: config.databaseUrl });
  const connection = await Connection.connect({ address: config.temporalAddress });
  try {
    const row = await findIncident(database.db, incidentId);
    if (!row) throw new Error(`no incident ${incidentId}`);
    const playbook = await playbookVersion(database.db, row.playbookId, row.playbookVersion);
    if (!playbook) throw new Error(`playbook ${row.playbookId} version ${row.playbookVersion} is missing`);
    const history = await new Client({ connection, namespace: config.temporalNamespace }).workflow.getHandle(incidentId).fetchHistory();
    const events = await incidentHistory(database.db, incidentId);
    const keys = given ?? dataFolderKeys(config.dataDir);
    const integrity = verifySignedChain(events, { incidentId, lastSeq: row.lastSeq, lastHash: row.lastHash, headKeyId: row.headKeyId, headSignature: row.headSignature }, keys);
    return { incidentId, stage: row.stage, playbook: playbook.document, events, history: JSON.parse(historyToJSON(history)), integrity };
  } finally {
    await connection.close();
    await database.close();
  }
}

/** The public keys kept beside the data folder's signing key, if there are any. */
function dataFolderKeys(dataDir: string): PublicSigningKey[] | undefined {
  const file = keyFiles(dataDir).publicKeys;
  return existsSync(file) ? readKeys(file) : undefined;
}

function readKeys(file: string): PublicSigningKey[] {
  const keys = (JSON.parse(readFileSync(file, 'utf8')) as { keys?: PublicSigningKey[] }).keys;
  if (!Array.isArray(keys)) throw new Error(`${file} holds no {"keys": [...]} (save the answer of GET /v1/audit/keys)`);
  return keys;
}

function usage(): never {
  console.error('usage: npm run replay -- <incidentId | dossier.json> [--keys keys.json]');
  process.exit(2);
}

let args;
try {
  args = parseArgs({ allowPositionals: true, options: { keys: { type: 'string' } } });
} catch {
  usage();
}
const [target, ...extra] = args.positionals;
if (!target || extra.length > 0) usage();
try {
  const keys = args.values.keys ? readKeys(args.values.keys) : undefined;
  const material = target.endsWith('.json') && existsSync(target) ? await fromDossier(target, keys) : await fromService(target, keys);
  const replayer = createReplayer();
  const determinism = await replayer(material.history, material.incidentId);
  await replayer.close();
  const machine = replayLifecycle(material.playbook, material.events, material.stage);
  const report = { ...replayReport(material.incidentId, determinism, machine), ...(material.integrity ? { integrity: material.integrity } : {}) };
  console.log(JSON.stringify(report, null, 2));
  process.exit(determinism.deterministic && machine.machineConsistent && (material.integrity?.valid ?? true) ? 0 : 1);
} catch (error) {
  console.error(`replay: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(2);
}
