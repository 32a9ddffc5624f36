/** The measured CMMI level, climbing and falling as incidents are recorded (June 2026, known times). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contextRiskExceptions } from '../../db/context.schema.js';
import { exposureMatches } from '../../db/exposure.schema.js';
import { MATURITY_CRITERIA } from '../../machines/maturity.criteria.js';
import { IncidentScript, recordScripts, recordSteps } from '../support/incident-script.js';
import { startStack, type Stack } from '../support/stack.js';

let stack: Stack;
let auditor: string;

beforeAll(async () => {
  stack = await startStack({ worker: false });
  auditor = await stack.token(['auditor'], 'aud');
});
afterAll(async () => stack?.close());

const J = Date.parse('2026-06-10T00:00:00Z');
const at = (seconds: number) => new Date(J + seconds * 1000).toISOString();

async function maturity() {
  const response = await stack.call('GET', '/v1/maturity?from=2026-06-01T00:00:00Z&to=2026-07-01T00:00:00Z', auditor);
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  const criteria = response.body.levels.flatMap((l: { criteria: { id: string; figure: number | null; passes: boolean }[] }) => l.criteria);
  const failing = criteria.filter((c: { passes: boolean }) => !c.passes).map((c: { id: string }) => c.id);
  const figures = Object.fromEntries(criteria.map((c: { id: string; figure: number | null }) => [c.id, c.figure]));
  return { level: response.body.level as number, name: response.body.name as string, failing, figures, body: response.body };
}

describe('GET /v1/maturity', () => {
  it('is level 1 with nothing recorded, every criterion listed with its figure', async () => {
    const { level, name, failing, body } = await maturity();
    expect({ level, name }).toEqual({ level: 1, name: 'Initial' });
    expect(body.levels.map((l: { level: number }) => l.level)).toEqual([1, 2, 3, 4, 5]);
    expect(failing).toEqual(MATURITY_CRITERIA.map((c) => c.id));
    expect(body.levels[1].criteria[0]).toMatchObject({ id: 'incidents-tracked', figure: 0, threshold: 1, passes: false });
  });

  const p1 = new IncidentScript('P1', { at: at(0), openedBy: 'source:generic', category: 'malware', severity: 'high', priority: 'P2' })
    .step('sla_armed', at(0), { data: { clock: 'resolve' } })
    .asset(at(5), { id: 'A-1', businessUnit: 'payments' })
    .step('priority_changed', at(6), { data: { from: 'P3', to: 'P2' } })
    .move(at(60), 'acknowledge', 'triage', { marks: ['acknowledged'] });

  it('climbs to level 3 with a gated, enriched, measured incident; level 4 waits for a root cause', async () => {
    await recordScripts(stack.database.db, [p1]);
    const { level, failing, figures } = await maturity();
    expect(level).toBe(3);
    expect(failing).toEqual(['root-causes-mapped', 'exposure-from-configuration-change', 'remediation-validated', 'risk-outcome-measured']);
    expect(figures).toMatchObject({ 'repeatable-lifecycle': 1, 'gated-transitions': 1, 'automated-enrichment': 1, 'sla-per-business-unit': 1, 'root-causes-mapped': null });
  });

  it('reaches level 4 once the root cause is recorded', async () => {
    p1.move(at(600), 'start_analysis', 'analysis').move(at(900), 'contain', 'containment').move(at(1200), 'eradicate', 'eradication', { marks: ['contained'] });
    p1.move(at(1500), 'recover', 'recovery', { marks: ['eradicated'] }).move(at(1800), 'resolve', 'review', { marks: ['recovered', 'resolved'], fields: { rootCause: 'phishing' } });
    await recordSteps(stack.database.db, p1.steps.slice(-5));
    const { level, failing } = await maturity();
    expect(level).toBe(4);
    expect(failing).toEqual(['exposure-from-configuration-change', 'remediation-validated', 'risk-outcome-measured']);
  });

  it('stays at level 4 with an exposure an alert opened, and reaches level 5 once a rule opened it from a configuration change, validated before closure', async () => {
    const x = new IncidentScript('X', { at: at(3600), openedBy: 'source:generic', playbook: 'exposure-response', category: 'exposure', stage: 'detect' })
      .step('sla_armed', at(3600), { data: { clock: 'resolve' } })
      .asset(at(3605), { id: 'A-2', businessUnit: 'cloud' })
      .change(at(3606), { id: 'CHG-9', assetIds: ['A-2'], title: 'security group opened', type: 'configuration', plannedStart: at(0), plannedEnd: at(60), status: 'done' })
      .move(at(3700), 'assess', 'assess', { marks: ['acknowledged'] })
      .move(at(4000), 'remediate', 'remediate', { fields: { exposure: 'ssh open', changeId: 'CHG-9' } })
      .move(at(4300), 'validate', 'validate', { marks: ['contained', 'eradicated'] })
      .move(at(4600), 'close', 'closed', { marks: ['recovered', 'resolved', 'closed'], closed: true, fields: { rootCause: 'misconfiguration' } });
    await recordScripts(stack.database.db, [x]);
    const byAlert = await maturity();
    expect({ level: byAlert.level, failing: byAlert.failing }, 'an alert of category exposure is not a rule on the change feed').toEqual({ level: 4, failing: ['exposure-from-configuration-change', 'risk-outcome-measured'] });
    await stack.database.db.insert(exposureMatches).values({ ruleId: 'open-ingress', changeId: 'CHG-9', ruleVersion: 1, incidentId: x.id, changeKind: 'firewall' });
    expect((await maturity()).failing, 'no risk decision taken through its lifecycle yet').toEqual(['risk-outcome-measured']);
    // A risk exception approved through its lifecycle in June (as its workflow records it).
    const lifecycle = { status: 'active', activatedAt: at(3650), requestedAt: at(3610) };
    await stack.database.db.insert(contextRiskExceptions).values({ id: 'RX-9', assetIds: ['A-2'], expiresAt: new Date(at(90_000)), justification: 'j', owner: 'ciso', status: 'active', lifecycle });
    const { level, name, failing, figures } = await maturity();
    expect({ level, name, failing }).toEqual({ level: 5, name: 'Optimizing', failing: [] });
    expect(figures).toMatchObject({ 'exposure-from-configuration-change': 1, 'remediation-validated': 1, 'automated-enrichment': 1 });
  });

  it('falls back to level 2 when enrichment fails and incidents arrive without context', async () => {
    const y = new IncidentScript('Y', { at: at(7200), openedBy: 'source:generic' })
      .step('enrichment_failed', at(7201), { data: { kind: 'asset', reason: 'timeout' } })
      .step('enrichment_failed', at(7202), { data: { kind: 'change', reason: 'timeout' } })
      .step('enrichment_failed', at(7203), { data: { kind: 'intel', reason: 'timeout' } });
    await recordScripts(stack.database.db, [y]);
    const { level, failing, figures } = await maturity();
    expect(level).toBe(2);
    expect(failing).toEqual(['asset-and-change-context', 'automated-enrichment', 'sla-per-business-unit']);
    expect(figures['automated-enrichment']).toBe(0.5);
    expect(figures['asset-and-change-context']).toBeCloseTo(2 / 3, 10);
  });
});
