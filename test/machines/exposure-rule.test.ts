import { describe, expect, it } from 'vitest';
import type { ChangeRecord } from '../../machines/context.types.js';
import { compileRule, parseExposureRule, ruleIndex, validateExposureRule, type ExposureRule } from '../../machines/exposure-rule.js';

const base: ChangeRecord = { id: 'CHG-1', assetIds: ['a-1'], title: 'a change', plannedStart: '2026-12-01T10:00:00.000Z', plannedEnd: '2026-12-01T10:00:00.000Z', status: 'implemented' };
const change = (facts: Partial<ChangeRecord>): ChangeRecord => ({ ...base, ...facts });
const rule = (when: string): ExposureRule => ({ id: 'r', name: 'r', when, severity: 'high' });

const OPEN_INGRESS = 'change.kind == "firewall" && change.after.ingress.exists(r, r.cidr == "0.0.0.0/0")';
const MFA_OFF_ON_ADMINS = 'change.kind == "iam" && change.after.group == "admins" && change.before.mfa == true && change.after.mfa == false';
const BUCKET_PUBLIC = 'change.kind == "storage" && change.after.acl == "public-read" && change.before.acl != "public-read"';
const UNTICKETED_PRODUCTION = 'change.attributes.environment == "production" && !(has(change.attributes.ticket) && change.attributes.ticket.approved == true)';

describe('exposure rules over changes (CEL)', () => {
  const table: Array<[string, string, ChangeRecord, boolean]> = [
    ['firewall opened to the world', OPEN_INGRESS, change({ kind: 'firewall', after: { ingress: [{ cidr: '10.0.0.0/8' }, { cidr: '0.0.0.0/0', port: 22 }] } }), true],
    ['firewall opened to a private range', OPEN_INGRESS, change({ kind: 'firewall', after: { ingress: [{ cidr: '10.0.0.0/8' }] } }), false],
    ['another kind of change', OPEN_INGRESS, change({ kind: 'dns', after: { ingress: [{ cidr: '0.0.0.0/0' }] } }), false],
    ['MFA turned off on the admin group', MFA_OFF_ON_ADMINS, change({ kind: 'iam', before: { group: 'admins', mfa: true }, after: { group: 'admins', mfa: false } }), true],
    ['MFA turned on', MFA_OFF_ON_ADMINS, change({ kind: 'iam', before: { group: 'admins', mfa: false }, after: { group: 'admins', mfa: true } }), false],
    ['bucket made public', BUCKET_PUBLIC, change({ kind: 'storage', before: { acl: 'private' }, after: { acl: 'public-read' } }), true],
    ['bucket public already', BUCKET_PUBLIC, change({ kind: 'storage', before: { acl: 'public-read' }, after: { acl: 'public-read' } }), false],
    ['production change without a ticket', UNTICKETED_PRODUCTION, change({ attributes: { environment: 'production' } }), true],
    ['production change with an unapproved ticket', UNTICKETED_PRODUCTION, change({ attributes: { environment: 'production', ticket: { id: 'T-1', approved: false } } }), true],
    ['production change with an approved ticket', UNTICKETED_PRODUCTION, change({ attributes: { environment: 'production', ticket: { id: 'T-2', approved: true } } }), false],
    ['staging change without a ticket', UNTICKETED_PRODUCTION, change({ attributes: { environment: 'staging' } }), false],
  ];
  it.each(table)('%s', (_name, when, facts, matches) => {
    expect(validateExposureRule(rule(when))).toMatchObject({ ok: true });
    expect(compileRule(rule(when), 1).test(facts)).toEqual({ matches });
  });

  it('says why an expression failed on a change, and that is no match', () => {
    const compiled = compileRule(rule('change.after.ports.exists(p, p == 22)'), 1);
    expect(compiled.test(change({ after: {} }))).toEqual({ matches: false, error: expect.stringContaining('ports') });
    expect(compileRule(rule('change.title'), 1).test(change({}))).toEqual({ matches: false, error: 'the expression gives string, not a bool' });
    expect(compileRule(rule(UNTICKETED_PRODUCTION), 1).test(change({})), 'no environment: has() guards it').toEqual({ matches: false, error: 'field not found: environment' });
    expect(compileRule(rule('change.after.count + 1 > 2'), 1).test(change({ after: { count: 'many' } }))).toMatchObject({ matches: false, error: expect.stringContaining('overload') });
  });

  it('refuses a malformed expression at validation with its path, line and column', () => {
    const cases: Array<[string, RegExp]> = [
      // The parser names where the expression it could not finish starts: the operator left open.
      ['change.kind ==', /^syntax error: found = but expecting end of input \(line 1, column 13\)$/],
      ['change.kind === "x"', /^syntax error: .* \(line 1, column 13\)$/],
      ['change.kind == "firewall" &&\n  (change.after.x == 1', /^syntax error: .* \(line 1, column 27\)$/],
      ['(change.kind == "x"', /^syntax error: found end of input but expecting '\)' \(line 1, column 20\)$/],
      ['exposed(change)', /^CEL has no function exposed \(line 1, column 1\)$/],
      ['asset.kind == "db"', /^unknown name asset: a rule sees change only \(line 1, column 1\)$/],
      ['change.after.rules.exists(r, x.port == 22)', /^unknown name x: a rule sees change only \(line 1, column 30\)$/],
    ];
    for (const [when, message] of cases) {
      const result = validateExposureRule(rule(when));
      expect(result.ok, when).toBe(false);
      if (!result.ok) expect(result.errors, when).toEqual([{ path: 'when', message: expect.stringMatching(message) }]);
    }
  });

  it('validates the document: every structural error at its path; YAML as well as JSON', () => {
    const result = validateExposureRule({ id: 'Bad Id', name: '', when: 'true', severity: 'urgent', colour: 'red' });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors.map((e) => e.path).sort()).toEqual(['colour', 'id', 'name', 'severity']);
    expect(parseExposureRule(`id: open-ingress\nname: Firewall open to the world\nseverity: high\nwhen: >-\n  ${OPEN_INGRESS}\n`)).toMatchObject({ ok: true, rule: { id: 'open-ingress', when: OPEN_INGRESS } });
    expect(parseExposureRule('id: x\nid: y\n')).toMatchObject({ ok: false, errors: [{ message: expect.stringContaining('duplicate key') }] });
  });

  it('indexes rules by the change kind their conjunction requires, and skipping the others changes no answer', () => {
    const kinds = [OPEN_INGRESS, MFA_OFF_ON_ADMINS, BUCKET_PUBLIC, UNTICKETED_PRODUCTION, 'change.kind == "dns" || change.after.ttl == 0', '"iam" == change.kind', 'change.kind != "iam" && true'].map(
      (when) => compileRule(rule(when), 1).kind,
    );
    expect(kinds).toEqual(['firewall', 'iam', 'storage', undefined, undefined, 'iam', undefined]);
    const rules = [OPEN_INGRESS, MFA_OFF_ON_ADMINS, BUCKET_PUBLIC, UNTICKETED_PRODUCTION].map((when, i) => compileRule({ ...rule(when), id: `r${i}` }, 1));
    const meeting = ruleIndex(rules);
    for (const [, , facts] of table) {
      const everyRule = rules.filter((r) => r.test(facts).matches).map((r) => r.rule.id);
      const indexed = meeting(facts.kind).filter((r) => r.test(facts).matches).map((r) => r.rule.id);
      expect(indexed, facts.id).toEqual(everyRule);
    }
    expect(meeting('firewall').map((r) => r.rule.id)).toEqual(['r0', 'r3']);
    expect(meeting(undefined).map((r) => r.rule.id)).toEqual(['r3']);
  });
});
