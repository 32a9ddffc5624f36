import { describe, expect, it } from 'vitest';
import { emptyContext, type Finding, type IncidentContext } from '../../machines/context.types.js';
import { activeRiskExceptions, priorityInputs } from '../../machines/context.merge.js';
import { assessPriority, impactOf, urgencyOf, type PriorityInputs } from '../../machines/priority.js';

const inputs = (overrides: Partial<PriorityInputs> = {}): PriorityInputs => ({
  severity: 'medium',
  highestCriticality: null,
  maliciousIntel: null,
  riskException: null,
  ...overrides,
});

describe('ITIL priority matrix', () => {
  it('is the standard 3×3 table', () => {
    const table = (['critical', 'medium', null] as const).map((criticality) =>
      (['high', 'medium', 'low'] as const).map((severity) => assessPriority(inputs({ severity, highestCriticality: criticality })).priority),
    );
    expect(table).toEqual([
      ['P1', 'P2', 'P3'],
      ['P2', 'P3', 'P4'],
      ['P3', 'P4', 'P5'],
    ]);
  });

  it('maps criticality to impact and severity to urgency', () => {
    expect([impactOf('critical'), impactOf('high'), impactOf('medium'), impactOf('low'), impactOf(null)]).toEqual([1, 1, 2, 3, 3]);
    expect(['critical', 'high', 'medium', 'low'].map((severity) => urgencyOf(inputs({ severity: severity as 'low' })))).toEqual([1, 1, 2, 3]);
  });

  it('raises urgency for strong malicious intel and lowers it for an active risk exception, within 1..3', () => {
    expect(urgencyOf(inputs({ maliciousIntel: { indicator: 'x', confidence: 90 } }))).toBe(1);
    expect(urgencyOf(inputs({ severity: 'critical', maliciousIntel: { indicator: 'x', confidence: 90 } }))).toBe(1);
    expect(urgencyOf(inputs({ riskException: { id: 'r' } }))).toBe(3);
    expect(urgencyOf(inputs({ severity: 'low', riskException: { id: 'r' } }))).toBe(3);
    expect(urgencyOf(inputs({ maliciousIntel: { indicator: 'x', confidence: 90 }, riskException: { id: 'r' } }))).toBe(2);
  });

  it('names the cell and keeps the inputs; a fixed priority says who fixed it', () => {
    expect(assessPriority(inputs({ highestCriticality: 'high' }))).toMatchObject({ priority: 'P2', cell: 'impact 1 × urgency 2 → P2 (High)' });
    expect(assessPriority(inputs(), { priority: 'P3', playbook: 'managed-queue' })).toMatchObject({ priority: 'P3', fixedBy: 'managed-queue' });
  });
});

describe('priority inputs from context', () => {
  const provenance = { source: 's', fetchedAt: '2026-01-01T00:00:00.000Z', ttl: 60 };
  const context = (): IncidentContext => ({
    ...emptyContext(),
    assets: [{ kind: 'asset', key: 'a', record: { id: 'a', hostname: 'h', ips: [], owner: 'o', businessUnit: 'bu', criticality: 'low' }, provenance }],
    businessUnits: [
      { kind: 'business-unit', key: 'bu', record: { id: 'bu', name: 'BU', criticality: 'critical' }, provenance },
      { kind: 'business-unit', key: 'other', record: { id: 'other', name: 'Other', criticality: 'critical' }, provenance },
    ] as Finding<'business-unit'>[],
    intel: [
      { kind: 'intel', key: 'weak', record: { indicator: 'weak', type: 'ip', verdict: 'malicious', confidence: 69, source: 's' }, provenance },
      { kind: 'intel', key: 'benign', record: { indicator: 'benign', type: 'ip', verdict: 'benign', confidence: 99, source: 's' }, provenance },
    ] as Finding<'intel'>[],
    riskExceptions: [{ kind: 'risk-exception', key: 'r', record: { id: 'r', expiresAt: '2026-06-01T00:00:00.000Z', justification: 'j', owner: 'o' }, provenance }],
  });

  it('takes the highest criticality of affected assets and their units, strong malicious intel only, unexpired exceptions only', () => {
    expect(priorityInputs(context(), 'high', '2026-01-01T00:00:00.000Z')).toEqual({
      severity: 'high',
      highestCriticality: 'critical',
      maliciousIntel: null,
      riskException: { id: 'r' },
    });
    expect(priorityInputs(context(), 'high', '2026-07-01T00:00:00.000Z').riskException).toBeNull();
  });

  it('compares risk-exception expiry as instants, offsets included', () => {
    const withExpiry = (expiresAt: string): IncidentContext => ({ ...context(), riskExceptions: [{ ...context().riskExceptions[0]!, record: { ...context().riskExceptions[0]!.record, expiresAt } }] });
    // 10:00+02:00 is 08:00Z: expired at 09:00Z, though its text sorts after "…T09".
    expect(activeRiskExceptions(withExpiry('2026-12-02T10:00:00+02:00'), '2026-12-02T09:00:00.000Z')).toEqual([]);
    // 08:00-02:00 is 10:00Z: still active at 09:00Z, though its text sorts before "…T09".
    expect(activeRiskExceptions(withExpiry('2026-12-02T08:00:00-02:00'), '2026-12-02T09:00:00.000Z')).toHaveLength(1);
    const asked: string[] = [];
    const old = activeRiskExceptions(withExpiry('2026-12-02T10:00:00+02:00'), '2026-12-02T09:00:00.000Z', () => (asked.push('instants?'), false));
    expect(old, 'runs recorded before compared the text').toHaveLength(1);
    activeRiskExceptions(withExpiry('2026-12-02T10:00:00Z'), '2026-12-02T09:00:00.000Z', () => (asked.push('again?'), false));
    expect(asked, 'asked only where the two comparisons differ').toEqual(['instants?']);
  });
});
