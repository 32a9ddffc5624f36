/**
 * `npm run replay -- <incidentId | dossier.json>`: the auditor's replay from the command line.
 * On a dossier it works offline: digest and hash chain, the workflow history against today's
 * code, the lifecycle machine of the pinned playbook over the audit log. On an incident id it
 * reads the same from the service's database and Temporal (DATABASE_URL, TEMPORAL_ADDRESS).
 * Exit 0 when everything holds, 1 when something does not, 2 on bad usage.
 */
import { existsSync, readFileSync } from 'node:fs';
import { Client, Connection } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { openDatabase } from '../db/client.js';
import { verifyDossier, type Dossier } from '../db/dossier.js';
import { findIncident, incidentHistory } from '../db/incidents.reads.js';
import { playbookVersion } from '../db/playbooks.repo.js';
import type { PlaybookDocument } from '../machines/playbook.types.js';
import type { AuditEvent } from '../machines/incident.types.js';
import { replayLifecycle, replayReport } from '../machines/replay.js';
import { loadConfig } from './config.js';
import { createReplayer } from './replayer.js';

interface Material {
  incidentId: string;
  stage: string;
  playbook: PlaybookDocument;
  events: AuditEvent[];
  history: unknown;
  integrity?: ReturnType<typeof verifyDossier>;
}

async function fromDossier(file: string): Promise<Material> {
  const dossier = JSON.parse(readFileSync(file, 'utf8')) as Dossier;
  return {
    incidentId: dossier.incident.id,
    stage: String(dossier.incident.stage),
    playbook: dossier.playbook.document as PlaybookDocument,
    events: dossier.events,
    history: dossier.temporalHistory,
    integrity: verifyDossier(dossier),
  };
}

async function fromService(incidentId: string): Promise<Material> {
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
    return { incidentId, stage: row.stage, playbook: playbook.document, events: await incidentHistory(database.db, incidentId), history: JSON.parse(historyToJSON(history)) };
  } finally {
    await connection.close();
    await database.close();
  }
}

const target = process.argv[2];
if (!target || process.argv.length > 3) {
  console.error('usage: npm run replay -- <incidentId | dossier.json>');
  process.exit(2);
}
try {
  const material = target.endsWith('.json') && existsSync(target) ? await fromDossier(target) : await fromService(target);
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
