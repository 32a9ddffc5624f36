/**
 * Observables across incidents, on a real Temporal dev server and the test database: alerts'
 * observables and those named in notes (defanged ones too) or added by hand are found from the
 * observable's page with first and last seen; an incident shows how many others saw each of its
 * own; one marked as an IOC goes into the intel context, and a later alert naming it is raised
 * in urgency as intel matches are.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { afterLookups, alertBody, postAlert } from '../support/incidents.js';
import { startStack, type Stack } from '../support/stack.js';

let stack: Stack;
let ingest: string;
let alice: string; // analyst
let paul: string; // approver

beforeAll(async () => {
  stack = await startStack();
  [ingest, alice, paul] = await Promise.all([stack.token(['ingest'], 'siem'), stack.token(['analyst'], 'alice'), stack.token(['approver'], 'paul')]);
});
afterAll(async () => stack?.close());

const C2 = '198.51.100.23';

describe('observables across incidents', () => {
  it('finds an address seen in an alert of one incident and a defanged note of another', async () => {
    const first = (await postAlert(stack, ingest, alertBody({ observables: [{ type: 'ip', value: C2 }] }))).incidentId as string;
    const second = (await stack.call('POST', '/v1/incidents', alice, { title: 'Proxy hits', severity: 'medium' })).body.id as string;
    const note = await stack.call('POST', `/v1/incidents/${second}/notes`, alice, { body: `proxy shows 198.51.100[.]23 and hxxps://pay-update[.]com/x.php` });
    expect(note.status).toBe(201);

    const page = await stack.call('GET', `/v1/observables/ip/${C2}`, paul);
    expect(page.status, JSON.stringify(page.body)).toBe(200);
    const byIncident = Object.fromEntries(page.body.incidents.map((s: { incidentId: string; seenIn: string[] }) => [s.incidentId, s.seenIn]));
    expect(byIncident).toEqual({ [first]: ['alert'], [second]: ['note'] });
    for (const s of page.body.incidents) expect(Date.parse(s.firstSeen)).toBeLessThanOrEqual(Date.parse(s.lastSeen));

    const view = await stack.call('GET', `/v1/incidents/${first}`, paul);
    expect(view.body.observables).toEqual([{ type: 'ip', value: C2, ioc: false, otherIncidents: 1, link: `/v1/observables/ip/${C2}` }]);
    const seconds = (await stack.call('GET', `/v1/incidents/${second}/observables`, paul)).body.observables;
    expect(seconds.map((o: { type: string; value: string }) => `${o.type}:${o.value}`)).toEqual(
      expect.arrayContaining([`ip:${C2}`, 'url:https://pay-update.com/x.php', 'domain:pay-update.com']),
    );
  });

  it('puts an IOC marked by hand into the intel context: a later alert naming it is more urgent', async () => {
    const hash = 'E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855';
    const marked = (await stack.call('POST', '/v1/incidents', alice, { title: 'Dropper', severity: 'low' })).body.id as string;
    const added = await stack.call('POST', `/v1/incidents/${marked}/observables`, alice, { type: 'hash', value: hash, tlp: 'amber', ioc: true });
    expect(added.status, JSON.stringify(added.body)).toBe(201);
    expect(added.body).toMatchObject({ type: 'hash', value: hash.toLowerCase(), ioc: true });
    const history = (await stack.call('GET', `/v1/incidents/${marked}/history`, alice)).body.events as Array<{ type: string; data: Record<string, unknown> }>;
    expect(history.find((e) => e.type === 'observable_added')?.data).toMatchObject({ observables: [{ type: 'hash', value: hash.toLowerCase() }], tlp: 'amber', ioc: true });

    const { incidentId } = await postAlert(stack, ingest, alertBody({ severity: 'medium', observables: [{ type: 'hash', value: hash.toLowerCase() }] }));
    await afterLookups(stack, alice, incidentId, 5);
    const later = (await stack.call('GET', `/v1/incidents/${incidentId}`, alice)).body;
    expect(later.priorityReason.inputs.maliciousIntel).toEqual({ indicator: hash.toLowerCase(), confidence: 90 });
    expect(later.priorityReason.urgency).toBe(1);
    const page = (await stack.call('GET', `/v1/observables/hash/${hash}`, paul)).body;
    expect(page.incidents.map((s: { incidentId: string }) => s.incidentId).sort()).toEqual([marked, incidentId].sort());
    expect(page.incidents.find((s: { incidentId: string }) => s.incidentId === marked).ioc).toBe(true);
    const auditor = await stack.token(['auditor']);
    expect((await stack.call('GET', `/v1/incidents/${marked}/history/verify`, auditor)).body).toMatchObject({ valid: true });
    expect((await stack.call('POST', `/v1/incidents/${marked}/replay`, auditor)).body).toMatchObject({ deterministic: true, machineConsistent: true });
  });

  it('answers 400 for an unknown type and an empty list for an observable nobody saw', async () => {
    expect((await stack.call('GET', '/v1/observables/planet/mars', paul)).status).toBe(400);
    expect((await stack.call('GET', '/v1/observables/domain/never-seen.example', paul)).body.incidents).toEqual([]);
  });
});
