/**
 * A fixed data set with known times for the KPI, report and maturity tests: five incidents in
 * March 2026 and one in April, recorded by the real persistence activity. Expected figures are
 * worked out by hand in test/integration/kpis.test.ts.
 */
import type { Database } from '../../db/client.js';
import { contextAssets, contextChanges } from '../../db/schema.js';
import { countRefusedAttempt, countSuppressedDuplicates } from '../../db/measures.repo.js';
import { IncidentScript, recordScripts, storeScriptAlert } from './incident-script.js';

export const T0 = Date.parse('2026-03-02T00:00:00Z');
/** An instant `seconds` after T0 (plus `days`), as ISO text. */
export const t = (seconds: number, days = 0) => new Date(T0 + days * 86_400_000 + seconds * 1000).toISOString();

export const WINDOW = { from: '2026-03-01T00:00:00Z', to: '2026-05-01T00:00:00Z' };

export async function recordKpiDataset(db: Database): Promise<void> {
  // A: payments, found by elastic rule R1, walked to closed; mttd 600, mtta 300, mttc 3600, mtte 3600, mttrec 3600, mttr 10800.
  await storeScriptAlert(db, { id: 'al-A', incidentId: 'A', source: 'elastic', ruleId: 'R1', category: 'malware', detectedAt: t(-60), firstEventAt: t(-660), receivedAt: t(0), techniques: ['T1566.001', 'T1059'] });
  const a = new IncidentScript('A', { at: t(0), openedBy: 'source:elastic', category: 'malware', severity: 'high', priority: 'P2' })
    .alert(t(0), 'al-A', 'elastic')
    .step('sla_armed', t(0), { data: { clock: 'resolve' } })
    .asset(t(10), { id: 'A-PAY1', businessUnit: 'payments', businessProcess: 'billing' })
    .change(t(11), { id: 'CHG-1', assetIds: ['A-PAY1'], title: 'open port 22 to the internet', type: 'configuration', plannedStart: t(-7200), plannedEnd: t(-3600), status: 'done' })
    .step('enrichment_failed', t(12), { data: { kind: 'intel', reason: 'timeout' } })
    .move(t(300), 'acknowledge', 'triage', { marks: ['acknowledged'] })
    .move(t(900), 'start_analysis', 'analysis')
    .move(t(1800), 'contain', 'containment')
    .move(t(3600), 'eradicate', 'eradication', { marks: ['contained'] })
    .move(t(7200), 'recover', 'recovery', { marks: ['eradicated'] })
    .move(t(10800), 'resolve', 'review', { marks: ['recovered', 'resolved'], fields: { rootCause: 'misconfiguration', threatSource: 'external', vector: 'ssh' } })
    .step('sla_stopped', t(10800), { data: { clock: 'resolve' } })
    .work(t(11000), 90)
    .move(t(14400), 'close', 'closed', { marks: ['resolved', 'closed'], closed: true, fields: { lessonsLearned: 'review firewall changes' } });

  // B: payments, reported by a person; closed as a false positive, reopened, contained with a two-person approval.
  const b = new IncidentScript('B', { at: t(0, 1), openedBy: 'alice', category: 'phishing', severity: 'medium', priority: 'P3' })
    .step('sla_armed', t(0, 1), { data: { clock: 'resolve' } })
    .asset(t(5, 1), { id: 'A-PAY2', businessUnit: 'payments', businessProcess: 'billing' })
    .move(t(600, 1), 'acknowledge', 'triage', { marks: ['acknowledged'] })
    .step('sla_escalated', t(700, 1), { data: { clock: 'resolve', step: 0 } })
    .step('sla_escalated', t(800, 1), { data: { clock: 'resolve', step: 1 } })
    .step('sla_breached', t(900, 1), { data: { clock: 'resolve' } })
    .move(t(1200, 1), 'close_false_positive', 'closed', { marks: ['resolved', 'closed'], closed: true, fields: { resolution: 'scanner' } })
    .step('sla_stopped', t(1200, 1), { data: { clock: 'resolve' } })
    .move(t(2000, 1), 'reopen', 'analysis')
    .step('approval_requested', t(2100, 1), { actor: 'ana', data: { event: 'contain', required: 2 } })
    .step('approval_granted', t(2200, 1), { actor: 'bob', data: { event: 'contain', requestedBy: 'ana', granted: 1, required: 2 } })
    .step('approval_granted', t(2400, 1), { actor: 'carol', data: { event: 'contain', requestedBy: 'ana', granted: 2, required: 2 } })
    .move(t(2400, 1), 'contain', 'containment', { approvedBy: ['bob', 'carol'] })
    .work(t(2500, 1), 30);

  // C: retail, elastic rule R2 without a first event time (no mttd), never acknowledged, two alerts.
  await storeScriptAlert(db, { id: 'al-C1', incidentId: 'C', source: 'elastic', ruleId: 'R2', detectedAt: t(0, 2), receivedAt: t(0, 2), techniques: ['T1059'] });
  await storeScriptAlert(db, { id: 'al-C2', incidentId: 'C', source: 'elastic', ruleId: 'R2', detectedAt: t(60, 2), receivedAt: t(60, 2) });
  const c = new IncidentScript('C', { at: t(0, 2), openedBy: 'source:elastic', category: 'malware', severity: 'low', priority: 'P4' })
    .alert(t(0, 2), 'al-C1', 'elastic')
    .asset(t(3, 2), { id: 'A-SHOP1', businessUnit: 'retail', businessProcess: 'web-shop' })
    .alert(t(60, 2), 'al-C2', 'elastic');

  // E: retail, elastic rule R2, a false positive closed from triage; mttd 120.
  await storeScriptAlert(db, { id: 'al-E', incidentId: 'E', source: 'elastic', ruleId: 'R2', detectedAt: t(0, 3), firstEventAt: t(-120, 3), receivedAt: t(0, 3) });
  const e = new IncidentScript('E', { at: t(0, 3), openedBy: 'source:elastic', category: 'malware', severity: 'low', priority: 'P4' })
    .alert(t(0, 3), 'al-E', 'elastic')
    .asset(t(2, 3), { id: 'A-SHOP1', businessUnit: 'retail', businessProcess: 'web-shop' })
    .move(t(100, 3), 'acknowledge', 'triage', { marks: ['acknowledged'] })
    .move(t(500, 3), 'close_false_positive', 'closed', { marks: ['resolved', 'closed'], closed: true, fields: { resolution: 'test traffic', rootCause: 'red team exercise not announced' } });

  // D: April, a policy violation reported by a person; no asset found, so no business unit.
  const d = new IncidentScript('D', { at: t(0, 31), openedBy: 'dave', category: 'policy-violation', severity: 'medium', priority: 'P3' })
    .step('enrichment_failed', t(1, 31), { data: { kind: 'asset', reason: 'no connector' } })
    .move(t(120, 31), 'acknowledge', 'triage', { marks: ['acknowledged'] });

  await recordScripts(db, [a, b, c, e, d]);
  await countRefusedAttempt(db, 'B');
  await countRefusedAttempt(db, 'B');
  await countSuppressedDuplicates(db, ['C']);
  const asset = (id: string, businessUnit: string, businessProcess: string) => ({ id, hostname: id.toLowerCase(), ips: [], owner: 'owner', businessUnit, businessProcess, criticality: 'medium' });
  await db.insert(contextAssets).values([asset('A-PAY1', 'payments', 'billing'), asset('A-PAY2', 'payments', 'billing'), asset('A-SHOP1', 'retail', 'web-shop')]);
  await db.insert(contextChanges).values([
    { id: 'CHG-1', assetIds: ['A-PAY1'], title: 'open port 22 to the internet', type: 'configuration', plannedStart: new Date(t(-7200)), plannedEnd: new Date(t(-3600)), status: 'done' },
    { id: 'CHG-2', assetIds: ['A-PAY1'], title: 'patch openssl', type: 'patch', plannedStart: new Date(t(0, 5)), plannedEnd: new Date(t(3600, 5)), status: 'done' },
    { id: 'CHG-3', assetIds: ['A-SHOP1'], title: 'deploy web-shop 4.2', plannedStart: new Date(t(0, 6)), plannedEnd: new Date(t(3600, 6)), status: 'done' },
  ]);
}
