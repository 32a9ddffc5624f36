import { describe, expect, it } from 'vitest';
import { parsePlaybook, validatePlaybook } from '../../machines/playbook.validate.js';
import { shippedPlaybook } from '../support/playbooks.js';

const base = () => ({
  id: 'phishing',
  name: 'Phishing response',
  initial: 'reported',
  stages: {
    reported: { marks: ['acknowledged'], on: { validate: { to: 'validated' }, dismiss: { to: 'closed', requires: { fields: ['resolution'] } } } },
    validated: {
      on: {
        quarantine: {
          to: 'closed',
          requires: { fields: ['affectedMailboxes'], checklist: ['headers-analysed'], approvals: { count: 1, roles: ['approver'] } },
        },
      },
    },
    closed: { closed: true, marks: ['resolved', 'closed'] },
  },
});

function errorsOf(doc: unknown) {
  const result = validatePlaybook(doc);
  expect(result.ok, 'the document should be rejected').toBe(false);
  return result.ok ? [] : result.errors;
}

describe('playbook validation', () => {
  it('accepts a well-formed playbook and the shipped default', () => {
    expect(validatePlaybook(base()).ok).toBe(true);
    expect(shippedPlaybook('default').id).toBe('default');
  });

  it('reports an unknown key with its path', () => {
    const doc = base() as Record<string, unknown> & ReturnType<typeof base>;
    (doc.stages.reported as Record<string, unknown>).colour = 'red';
    expect(errorsOf(doc)).toContainEqual({ path: 'stages.reported.colour', message: 'unknown key' });
  });

  it('reports every structural error, not only the first', () => {
    const doc = { ...base(), id: 'Bad Id', extra: 1 } as Record<string, unknown>;
    delete doc.name;
    const paths = errorsOf(doc).map((e) => e.path);
    expect(paths).toEqual(expect.arrayContaining(['id', 'extra', 'name']));
  });

  it('reports a transition to an unknown stage', () => {
    const doc = base();
    doc.stages.reported.on.validate.to = 'nowhere';
    expect(errorsOf(doc)).toContainEqual({ path: 'stages.reported.on.validate.to', message: 'names no stage: nowhere' });
  });

  it('reports an unknown initial stage', () => {
    expect(errorsOf({ ...base(), initial: 'start' })).toContainEqual({ path: 'initial', message: 'names no stage: start' });
  });

  it('reports a stage unreachable from initial', () => {
    const doc = base() as ReturnType<typeof base> & { stages: Record<string, unknown> };
    doc.stages.orphan = { on: { finish: { to: 'closed' } } };
    expect(errorsOf(doc)).toContainEqual({ path: 'stages.orphan', message: 'unreachable from initial stage reported' });
  });

  it('reports an open stage with no way out', () => {
    const doc = base() as ReturnType<typeof base> & { stages: Record<string, unknown> };
    doc.stages.reported.on = { ...doc.stages.reported.on, park: { to: 'parked' } } as never;
    doc.stages.parked = {};
    expect(errorsOf(doc)).toContainEqual({ path: 'stages.parked', message: expect.stringContaining('needs a way out') });
  });

  it('needs a stage marked closed', () => {
    const doc = base();
    delete (doc.stages.closed as { closed?: boolean }).closed;
    expect(errorsOf(doc)).toContainEqual({ path: 'stages', message: 'no stage is marked closed: true' });
  });

  it('reports duplicate event names within a stage (YAML keys and top-level events)', () => {
    const yaml = 'id: x\nname: X\ninitial: a\nstages:\n  a:\n    on:\n      go: { to: b }\n      go: { to: b }\n  b: { closed: true }\n';
    const parsed = parsePlaybook(yaml);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.errors[0]!.message).toMatch(/duplicate key at line 8/);

    const doc = { ...base(), on: { validate: { to: 'validated' } } };
    expect(errorsOf(doc)).toContainEqual({
      path: 'stages.reported.on.validate',
      message: 'duplicate event: validate is also allowed from every open stage (top-level on)',
    });
  });

  it('rejects approvals with a count below 1', () => {
    const doc = base();
    doc.stages.validated.on.quarantine.requires.approvals.count = 0;
    expect(errorsOf(doc)).toContainEqual({ path: 'stages.validated.on.quarantine.requires.approvals.count', message: 'must be >= 1' });
  });

  it('rejects bad durations and escalation shares', () => {
    const doc = base();
    const stages = doc.stages as Record<string, Record<string, unknown>>;
    stages.reported!.sla = { high: '90 minutes', critical: '15m' };
    stages.reported!.escalation = [{ at: 'half', notify: ['soc-lead'] }];
    const errors = errorsOf(doc);
    expect(errors).toContainEqual({ path: 'stages.reported.sla.high', message: expect.stringContaining('must match') });
    expect(errors).toContainEqual({ path: 'stages.reported.escalation.0.at', message: 'must be a percentage such as 50%' });
  });

  it('reports an sla calendar that is not defined', () => {
    const doc = base();
    (doc.stages as Record<string, Record<string, unknown>>).reported!.sla = { high: '1h', calendar: 'office' };
    expect(errorsOf(doc)).toContainEqual({ path: 'stages.reported.sla.calendar', message: 'names no calendar: office' });
  });

  it('reserves the ids the API uses as paths', () => {
    expect(errorsOf({ ...base(), id: 'schema' })).toContainEqual({ path: 'id', message: 'is a reserved name' });
  });

  it('rejects an unknown milestone and an unknown context kind', () => {
    const doc = base();
    const stages = doc.stages as Record<string, Record<string, unknown>>;
    stages.reported!.marks = ['celebrated'];
    stages.reported!.enrich = ['horoscope'];
    const paths = errorsOf(doc).map((e) => e.path);
    expect(paths).toEqual(expect.arrayContaining(['stages.reported.marks.0', 'stages.reported.enrich.0']));
  });

  it('reports YAML syntax errors with their line', () => {
    const parsed = parsePlaybook('id: x\nstages: [\n');
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.errors[0]!.message).toMatch(/syntax error at line/);
  });

  it('reports schema and reference errors together, each with its path, in one answer', () => {
    const doc = base() as ReturnType<typeof base> & { stages: Record<string, unknown>; colour?: string };
    doc.colour = 'red';
    doc.stages.reported.on.validate.to = 'nowhere';
    doc.stages.orphan = { on: { finish: { to: 'closed' } } };
    (doc.stages.validated as Record<string, unknown>).sla = { high: 'soon' };
    expect(errorsOf(doc)).toEqual(
      expect.arrayContaining([
        { path: 'colour', message: 'unknown key' },
        { path: 'stages.validated.sla.high', message: expect.stringContaining('must match') },
        { path: 'stages.reported.on.validate.to', message: 'names no stage: nowhere' },
        { path: 'stages.orphan', message: 'unreachable from initial stage reported' },
      ]),
    );
  });

  it('checks references in whatever is well-formed, even when the shape is wrong elsewhere', () => {
    const errors = errorsOf({ id: 'x', name: 'X', initial: 42, stages: { a: 'not a stage', b: { on: { go: { to: 'c' }, bad: 7 } } } });
    expect(errors).toEqual(
      expect.arrayContaining([
        { path: 'initial', message: expect.stringContaining('must') },
        { path: 'stages.a', message: expect.stringContaining('must') },
        { path: 'stages.b.on.go.to', message: 'names no stage: c' },
        { path: 'stages', message: 'no stage is marked closed: true' },
      ]),
    );
    for (const doc of [null, [], 'text', { stages: [] }, { stages: { a: { on: [] } } }]) expect(validatePlaybook(doc).ok).toBe(false);
  });

  it('refuses a time zone Intl does not know, and a calendar window that opens and closes at once', () => {
    const doc = { ...base(), calendars: { mars: { timezone: 'Mars/Olympus', days: ['mon'], from: '09:00', to: '09:00' } } };
    expect(errorsOf(doc)).toEqual(
      expect.arrayContaining([
        { path: 'calendars.mars.timezone', message: expect.stringContaining('not a time zone') },
        { path: 'calendars.mars.to', message: expect.stringContaining('must differ') },
      ]),
    );
    const overnight = { ...base(), calendars: { nights: { timezone: 'Europe/Berlin', days: ['mon'], from: '22:00', to: '06:00' } } };
    expect(validatePlaybook(overnight).ok, 'an overnight window is valid').toBe(true);
  });

  it('answers a YAML alias bomb and YAML nested past any limit with errors, not a crash', () => {
    const levels = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (const [from, to] of [['a', 'b'], ['b', 'c'], ['c', 'd'], ['d', 'e'], ['e', 'f'], ['f', 'g']] as const) levels.push(`${to}: &${to} [${Array(9).fill(`*${from}`).join(',')}]`);
    const bomb = parsePlaybook(levels.join('\n'));
    expect(bomb.ok).toBe(false);
    if (!bomb.ok) expect(bomb.errors[0]!.message).toMatch(/cannot be expanded: Excessive alias count/);
    const deep = parsePlaybook(`id: x\nname: ${'['.repeat(100)}${']'.repeat(100)}`);
    expect(deep.ok).toBe(false);
    if (!deep.ok) expect(deep.errors.map((e) => e.message).join(' ')).toMatch(/nests deeper than 64|deeply|syntax error/);
  });

  it('makes text storable and says where', () => {
    const parsed = parsePlaybook(`id: phishing\nname: "Phish\\0ing"\ninitial: a\nstages:\n  a: { on: { go: { to: b } } }\n  b: { closed: true }\n`);
    expect(parsed).toMatchObject({ ok: true, playbook: { name: 'Phish\uFFFDing' }, normalised: ['name'] });
  });
});
