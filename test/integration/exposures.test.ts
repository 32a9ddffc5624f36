/**
 * Exposure response through the HTTP API on a real Temporal dev server and the test database:
 * rules registered as versions (JSON and YAML), a malformed expression refused with its position,
 * a change posted (one, or in bulk) opening an exposure incident on the rule's playbook with the
 * change, the rule and the asset as context, once per (rule, change) even when posted twice; the
 * rule tested against a change without opening anything.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/eventually.js';
import { startStack, type Stack } from '../support/stack.js';

let stack: Stack;
let engineer: string;
let feed: string; // ingest: the cloud-config webhook
let analyst: string;

const OPEN_INGRESS = 'change.kind == "firewall" && change.after.ingress.exists(r, r.cidr == "0.0.0.0/0")';
const openIngress = { id: 'open-ingress', name: 'Security group open to the internet', when: OPEN_INGRESS, severity: 'high' };

beforeAll(async () => {
  stack = await startStack();
  [engineer, feed, analyst] = await Promise.all([stack.token(['engineer'], 'erin'), stack.token(['ingest'], 'cloud-config'), stack.token(['analyst'], 'alice')]);
  const assets = [{ id: 'web-7', hostname: 'web-7.prod', ips: ['10.1.0.7'], owner: 'web-team', businessUnit: 'retail', criticality: 'high' }];
  expect((await stack.call('PUT', '/v1/context/assets', engineer, assets)).status).toBe(200);
});
afterAll(async () => stack?.close());

const firewallChange = (id: string, cidr: string) => ({
  id,
  kind: 'firewall',
  title: `sg-web ingress ${cidr}`,
  assetIds: ['web-7'],
  before: { ingress: [{ cidr: '10.0.0.0/8', port: 443 }] },
  after: { ingress: [{ cidr: '10.0.0.0/8', port: 443 }, { cidr, port: 22 }] },
  attributes: { environment: 'production', source: 'aws-config' },
});

describe('exposure rules', () => {
  it('registers versions: the same content is the same version, new content the next; a malformed expression is refused at its position', async () => {
    const first = await stack.call('POST', '/v1/exposure-rules', engineer, openIngress);
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    expect(first.body).toMatchObject({ id: 'open-ingress', version: 1, playbook: 'exposure-response', enabled: true });
    expect((await stack.call('POST', '/v1/exposure-rules', engineer, openIngress)).body.version).toBe(1);
    const yaml = `id: mfa-off\nname: MFA disabled on an admin group\nseverity: critical\nwhen: >-\n  change.kind == "iam" && change.after.group == "admins" && change.after.mfa == false\n`;
    const fromYaml = await stack.call('POST', '/v1/exposure-rules', engineer, yaml, { 'content-type': 'application/yaml' });
    expect(fromYaml.status, JSON.stringify(fromYaml.body)).toBe(201);

    const malformed = await stack.call('POST', '/v1/exposure-rules', engineer, { ...openIngress, id: 'broken', when: 'change.kind == "firewall" &&' });
    expect(malformed.status).toBe(422);
    expect(malformed.body).toMatchObject({ type: 'urn:irflow:problem:invalid-exposure-rule', errors: [{ path: 'when', message: expect.stringMatching(/line 1, column \d+/) }] });
    const unknownPlaybook = await stack.call('POST', '/v1/exposure-rules', engineer, { ...openIngress, id: 'elsewhere', playbook: 'no-such-playbook' });
    expect(unknownPlaybook.status).toBe(422);
    expect((await stack.call('POST', '/v1/exposure-rules', feed, openIngress)).status, 'an ingest key posts changes, not rules').toBe(403);
    const listed = await stack.call('GET', '/v1/exposure-rules', analyst);
    expect(listed.body.rules.map((r: { id: string }) => r.id)).toEqual(['mfa-off', 'open-ingress']);
  });

  it('tests a rule, given or registered, against a change without opening anything', async () => {
    const given = await stack.call('POST', '/v1/exposure-rules/test', engineer, { rule: openIngress, change: firewallChange('CHG-T1', '0.0.0.0/0') });
    expect(given.body).toMatchObject({ matches: true });
    const registered = await stack.call('POST', '/v1/exposure-rules/test', engineer, { ruleId: 'open-ingress', change: firewallChange('CHG-T2', '192.168.0.0/16') });
    expect(registered.body).toEqual({ ruleId: 'open-ingress', version: 1, matches: false });
    const failing = await stack.call('POST', '/v1/exposure-rules/test', engineer, { rule: { ...openIngress, when: 'change.after.egress.exists(r, r.port == 22)' }, change: firewallChange('CHG-T3', '0.0.0.0/0') });
    expect(failing.body).toMatchObject({ matches: false, error: expect.stringContaining('egress') });
    expect((await stack.call('GET', '/v1/exposure-rules/open-ingress', engineer)).body.matches).toEqual([]);
  });

  it('opens an exposure incident for a matching change, with the change, the rule and the asset as context, once even when posted twice', async () => {
    const posted = await stack.call('POST', '/v1/changes', feed, firewallChange('CHG-100', '0.0.0.0/0'));
    expect(posted.status, JSON.stringify(posted.body)).toBe(200);
    expect(posted.body.exposures).toEqual([{ ruleId: 'open-ingress', ruleVersion: 1, changeId: 'CHG-100', incidentId: expect.stringMatching(/^INC-X/), created: true }]);
    const incidentId = posted.body.exposures[0].incidentId as string;

    const again = await stack.call('POST', '/v1/changes', feed, firewallChange('CHG-100', '0.0.0.0/0'));
    expect(again.body.exposures).toEqual([{ ...posted.body.exposures[0], created: false }]);
    const quiet = await stack.call('POST', '/v1/changes', feed, firewallChange('CHG-101', '172.16.0.0/12'));
    expect(quiet.body).toMatchObject({ exposures: [], rulesTested: 2, failureCount: 0 });

    const incident = await eventually(
      () => stack.call('GET', `/v1/incidents/${incidentId}`, analyst),
      (r) => r.status === 200 && r.body.context?.changes?.length > 0 && r.body.context?.assets?.length > 0,
      'the exposure incident with its context',
    );
    expect(incident.body).toMatchObject({ title: 'Security group open to the internet: sg-web ingress 0.0.0.0/0', severity: 'high', playbook: { id: 'exposure-response' }, stage: 'detect' });
    expect(incident.body.context.assets[0].record).toMatchObject({ id: 'web-7', businessUnit: 'retail' });
    expect(incident.body.context.changes[0].record).toMatchObject({ id: 'CHG-100', kind: 'firewall', after: { ingress: expect.arrayContaining([{ cidr: '0.0.0.0/0', port: 22 }]) } });
    const history = await stack.call('GET', `/v1/incidents/${incidentId}/history`, analyst);
    expect(history.body.events[0]).toMatchObject({ type: 'incident_opened', actor: 'exposure-rule:open-ingress' });
    const all = await stack.call('GET', '/v1/incidents?limit=100', analyst);
    expect(all.body.incidents.filter((i: { title: string }) => i.title.includes('sg-web ingress 0.0.0.0/0'))).toHaveLength(1);
    expect((await stack.call('GET', '/v1/exposure-rules/open-ingress', engineer)).body.matches).toEqual([expect.objectContaining({ changeId: 'CHG-100', incidentId, changeKind: 'firewall' })]);
  });

  it('meets changes imported in bulk too, and refuses a change whose documents are too large, storing nothing', async () => {
    const rows = [firewallChange('CHG-200', '0.0.0.0/0'), firewallChange('CHG-201', '10.9.0.0/16')].map(({ kind, ...rest }) => ({
      ...rest,
      kind,
      status: 'implemented',
      plannedStart: '2026-12-01T10:00:00.000Z',
      plannedEnd: '2026-12-01T10:05:00.000Z',
    }));
    const imported = await stack.call('PUT', '/v1/context/changes', engineer, rows);
    expect(imported.status, JSON.stringify(imported.body)).toBe(200);
    expect(imported.body).toMatchObject({ upserted: 2, exposures: [{ ruleId: 'open-ingress', changeId: 'CHG-200', created: true }] });

    const huge = { ...firewallChange('CHG-300', '0.0.0.0/0'), after: { blob: 'x'.repeat(70 * 1024) } };
    const refused = await stack.call('POST', '/v1/changes', feed, huge);
    expect(refused.status).toBe(422);
    expect(refused.body.errors).toEqual([{ path: 'after', message: expect.stringContaining('bytes') }]);
    expect((await stack.call('POST', '/v1/exposure-rules/test', engineer, { ruleId: 'open-ingress', change: firewallChange('CHG-300', '0.0.0.0/0') })).body.matches).toBe(true);
    expect((await stack.call('GET', '/v1/exposure-rules/open-ingress', engineer)).body.matches.map((m: { changeId: string }) => m.changeId).sort()).toEqual(['CHG-100', 'CHG-200']);
  });

  it('pages through every match of a rule, newest first, ties in one millisecond included; a foreign cursor is a 400', async () => {
    // 250 more matches of another rule, stored as the claim stores them, 50 in each of five instants (microseconds apart within a millisecond too).
    await stack.call('POST', '/v1/exposure-rules', engineer, { ...openIngress, id: 'paged-rule' });
    const base = Date.parse('2026-11-01T00:00:00.000Z');
    const rows = Array.from({ length: 250 }, (_, i) => ({ ruleId: 'paged-rule', changeId: `CHG-P${String(i).padStart(3, '0')}`, ruleVersion: 1, incidentId: `inc-p${i}`, changeKind: 'firewall' }));
    for (const [i, row] of rows.entries()) {
      const at = new Date(base + Math.floor(i / 50) * 60_000).toISOString().replace('Z', `${String(i % 7).padStart(3, '0')}Z`);
      await stack.database.db.execute(sql`insert into exposure_matches (rule_id, change_id, rule_version, incident_id, change_kind, matched_at) values (${row.ruleId}, ${row.changeId}, 1, ${row.incidentId}, 'firewall', ${at}::timestamptz)`);
    }
    const first = await stack.call('GET', '/v1/exposure-rules/paged-rule', engineer);
    expect(first.body.matches).toHaveLength(100);
    expect(first.body.matchesNextCursor).toEqual(expect.any(String));
    const seen: string[] = first.body.matches.map((m: { changeId: string }) => m.changeId);
    for (let cursor = first.body.matchesNextCursor as string | null; cursor; ) {
      const page = await stack.call('GET', `/v1/exposure-rules/paged-rule/matches?limit=70&cursor=${encodeURIComponent(cursor)}`, engineer);
      expect(page.status, JSON.stringify(page.body)).toBe(200);
      seen.push(...page.body.matches.map((m: { changeId: string }) => m.changeId));
      cursor = page.body.nextCursor;
    }
    // Newest instant first; within one, change ids descending.
    const instant = (changeId: string) => Math.floor(Number(changeId.slice('CHG-P'.length)) / 50);
    const expected = rows.map((r) => r.changeId).sort((a, b) => instant(b) - instant(a) || (a < b ? 1 : -1));
    expect(seen).toEqual(expected);
    expect((await stack.call('GET', '/v1/exposure-rules/paged-rule/matches?cursor=bm9wZQ', engineer)).status).toBe(400);
    expect((await stack.call('GET', '/v1/exposure-rules/no-such-rule/matches', engineer)).status).toBe(404);
  });

  it('trends the changes that result in exposures by change kind and month (change-correlation)', async () => {
    const month = new Date().toISOString().slice(0, 7);
    const report = await eventually(
      () => stack.call('GET', '/v1/reports/change-correlation', analyst),
      (r) => r.status === 200 && r.body.exposureTrend?.some((row: { exposures: number }) => row.exposures === 2),
      'the exposure trend with both exposures recorded',
    );
    expect(report.body.exposureTrend).toEqual([{ month, changeKind: 'firewall', exposures: 2, changes: 2, rules: 1 }]);
  });
});
