/**
 * Correlation configured per playbook: a playbook's `match.correlation` key decides which alerts
 * join one incident, and its window how long an incident holds the key; playbooks without one keep
 * the default key (source + rule + first asset).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { ocsfFinding } from '../support/siem-payloads.js';
import { startStack, type Stack } from '../support/stack.js';

let stack: Stack;
let ingest: string;

const byUser = {
  id: 'account-takeover',
  name: 'Account takeover',
  match: { order: 1, sources: ['ocsf'], ruleIds: ['ato-*'], correlation: { key: ['source', 'user'], window: '1h' } },
  initial: 'open',
  stages: {
    open: { marks: ['acknowledged'], on: { finish: { to: 'done', requires: { fields: ['resolution'] } } } },
    done: { closed: true, marks: ['resolved', 'closed'] },
  },
};

/** An OCSF finding of rule `rule` for `user` on `host`. */
function finding(uid: string, rule: string, user: string, host: string) {
  const base = ocsfFinding({ uid });
  return {
    ...base,
    device: { hostname: host },
    finding_info: { ...base.finding_info, analytic: { uid: rule, name: rule } },
    observables: [{ name: 'actor.user.name', type_id: 4, value: user }],
  };
}

const post = async (body: unknown) => {
  const response = await stack.call('POST', '/v1/alerts/ocsf', ingest, body);
  expect(response.status, JSON.stringify(response.body)).toBe(202);
  return response.body as { incidentId: string };
};

beforeAll(async () => {
  stack = await startStack();
  ingest = await stack.token(['ingest'], 'siem');
  const engineer = await stack.token(['engineer'], 'eve');
  const registered = await stack.call('POST', '/v1/playbooks', engineer, byUser);
  expect(registered.status, JSON.stringify(registered.body)).toBe(201);
});
afterAll(async () => stack?.close());

describe('correlation per playbook', () => {
  it('joins alerts of one user on different hosts, as the playbook says; others keep the default key', async () => {
    const a = await post(finding('c-1', 'ato-impossible-travel', 'mrossi', 'laptop-1'));
    const b = await post(finding('c-2', 'ato-mfa-fatigue', 'mrossi', 'laptop-2'));
    const other = await post(finding('c-3', 'ato-impossible-travel', 'jdoe', 'laptop-1'));
    expect(b.incidentId).toBe(a.incidentId);
    expect(other.incidentId).not.toBe(a.incidentId);
    const d1 = await post(finding('c-4', 'lsass-read', 'mrossi', 'srv-1'));
    const d2 = await post(finding('c-5', 'lsass-read', 'jdoe', 'srv-1'));
    expect(d2.incidentId).toBe(d1.incidentId);
  });

  it('passes the key to a new incident once the window has gone by', async () => {
    const first = await post(finding('w-1', 'ato-impossible-travel', 'asmith', 'laptop-9'));
    // The claim is dated two hours back, as if the window had passed (no test waits an hour).
    await stack.database.db.execute(sql`update open_correlations set claimed_at = now() - interval '2 hours' where incident_id = ${first.incidentId}`);
    const later = await post(finding('w-2', 'ato-impossible-travel', 'asmith', 'laptop-9'));
    expect(later.incidentId).not.toBe(first.incidentId);
    const again = await post(finding('w-3', 'ato-mfa-fatigue', 'asmith', 'laptop-3'));
    expect(again.incidentId).toBe(later.incidentId);
  });

  it('refuses a correlation part it does not know, naming it', async () => {
    const engineer = await stack.token(['engineer'], 'eve2');
    const bad = { ...byUser, id: 'bad-key', match: { ...byUser.match, correlation: { key: ['source', 'colour'] } } };
    const answer = await stack.call('POST', '/v1/playbooks/validate', engineer, bad);
    expect(answer.status).toBe(422);
    expect(answer.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ path: expect.stringContaining('match.correlation.key') })]));
  });
});
