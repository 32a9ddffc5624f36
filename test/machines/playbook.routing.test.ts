import { describe, expect, it } from 'vitest';
import type { NormalisedAlert } from '../../machines/alert.js';
import { globToRegExp, routeAlert } from '../../machines/playbook.routing.js';
import type { PlaybookDocument } from '../../machines/playbook.types.js';

const alert = (overrides: Partial<NormalisedAlert> = {}): NormalisedAlert => ({
  source: 'elastic',
  sourceId: '1',
  title: 't',
  severity: 'high',
  rule: { id: 'phish-link-clicked' },
  category: 'phishing',
  ...overrides,
});

const playbooks: Array<Pick<PlaybookDocument, 'id' | 'match'>> = [
  { id: 'default' },
  { id: 'phishing', match: { order: 10, sources: ['elastic', 'generic'], ruleIds: ['phish-*'], categories: ['phishing'], minSeverity: 'medium' } },
  { id: 'phishing-vip', match: { order: 5, ruleIds: ['phish-*-vip'] } },
  { id: 'anything-critical', match: { order: 20, minSeverity: 'critical' } },
  { id: 'unordered', match: { categories: ['phishing'] } },
];

describe('alert routing', () => {
  it('chooses the matching playbook with the lowest order', () => {
    expect(routeAlert(playbooks, alert())).toBe('phishing');
    expect(routeAlert(playbooks, alert({ rule: { id: 'phish-ceo-vip' } }))).toBe('phishing-vip');
    expect(routeAlert(playbooks, alert({ severity: 'critical' }))).toBe('phishing');
  });

  it('needs every criterion given: source, rule glob, category, minimum severity', () => {
    expect(routeAlert(playbooks, alert({ source: 'splunk' }))).toBe('unordered');
    expect(routeAlert(playbooks, alert({ rule: { id: 'malware' } }))).toBe('unordered');
    expect(routeAlert(playbooks, alert({ rule: undefined }))).toBe('unordered');
    expect(routeAlert(playbooks, alert({ severity: 'low' }))).toBe('unordered');
    expect(routeAlert(playbooks, alert({ category: undefined, severity: 'critical' }))).toBe('anything-critical');
  });

  it('falls back to default when nothing matches', () => {
    expect(routeAlert(playbooks, alert({ category: 'malware', rule: undefined }))).toBe('default');
    expect(routeAlert([{ id: 'default' }], alert())).toBe('default');
  });

  it('breaks order ties by id, whatever the storage order', () => {
    const tie = [{ id: 'b', match: { order: 1 } }, { id: 'a', match: { order: 1 } }];
    expect(routeAlert(tie, alert())).toBe('a');
    expect(routeAlert([...tie].reverse(), alert())).toBe('a');
  });

  it('reads globs literally but for * and ?', () => {
    expect(globToRegExp('phish-*').test('phish-x.y')).toBe(true);
    expect(globToRegExp('a.b').test('axb')).toBe(false);
    expect(globToRegExp('r?1').test('rx1')).toBe(true);
    expect(globToRegExp('r?1').test('rxx1')).toBe(false);
  });
});
