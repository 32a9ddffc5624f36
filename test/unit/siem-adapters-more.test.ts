/** Table tests of the Splunk, OCSF and Sentinel adapters, and of per-playbook correlation keys. */
import { describe, expect, it } from 'vitest';
import { correlationKey } from '../../machines/correlation.js';
import { ocsfFinding, sentinelTrigger, splunkWebhook } from '../support/siem-payloads.js';
import { alertsOf, errorsOf } from '../support/siem-adapt.js';

describe('Splunk', () => {
  it('reads a webhook body: strings only, CIM fields, urgency, epoch-seconds _time, techniques in text', () => {
    const [alert] = alertsOf('splunk', splunkWebhook());
    expect(alert).toMatchObject({
      source: 'splunk',
      title: 'Excessive Failed Logins',
      severity: 'high',
      detectedAt: '2024-11-26T03:14:07.482Z',
      rule: { id: 'Excessive Failed Logins' },
      assets: [{ hostname: 'dc-02.corp.example' }],
      observables: [{ type: 'ip', value: '203.0.113.77' }],
      techniques: ['T1110', 'T1110.003'],
      users: ['svc_backup'],
    });
    expect(alert!.sourceId).toMatch(/^scheduler__admin__search__RMD5f3c2a1b0d9e8f7a6_at_1732590840_1234:[0-9a-f]{32}$/);
  });

  it('keys each row of one search apart, and a resent row (keys in another order) as the same', () => {
    const row = { _time: '1732590847', dest: 'h1', count: '3' };
    const a = alertsOf('splunk', splunkWebhook({ result: row }))[0]!;
    const b = alertsOf('splunk', splunkWebhook({ result: { ...row, dest: 'h2' } }))[0]!;
    const again = alertsOf('splunk', splunkWebhook({ result: { count: '3', dest: 'h1', _time: '1732590847' } }))[0]!;
    expect(a.sourceId).not.toBe(b.sourceId);
    expect(again.sourceId).toBe(a.sourceId);
  });

  it.each([
    [{ severity: 'critical' }, 'critical'],
    [{ severity: 'Informational' }, 'low'],
    [{ urgency: 'medium' }, 'medium'],
    [{ risk_score: '80' }, 'critical'],
    [{ risk_score: '10' }, 'low'],
    [{ severity: 'unknown', risk_score: '55' }, 'high'],
    [{}, 'medium'],
  ])('takes severity from %j: %s', (fields, severity) => {
    expect(alertsOf('splunk', splunkWebhook({ result: { dest: 'h', ...fields } }))[0]!.severity).toBe(severity);
  });

  it('titles an ad-hoc search (search_name null) by its sid, and names a missing result', () => {
    expect(alertsOf('splunk', splunkWebhook({ searchName: null, result: { dest: 'h' } }))[0]!.title).toMatch(/^Splunk search scheduler__/);
    expect(errorsOf('splunk', { sid: 's', search_name: 'x' }).map((e) => e.path)).toEqual(['result']);
  });

  it('takes an IP in dest as the asset address', () => {
    expect(alertsOf('splunk', splunkWebhook({ result: { dest: '10.9.8.7' } }))[0]!.assets).toEqual([{ ip: '10.9.8.7' }]);
  });
});

describe('OCSF', () => {
  it.each([
    [1, 'low'],
    [2, 'low'],
    [3, 'medium'],
    ['4', 'high'],
    [5, 'critical'],
    [6, 'critical'],
  ])('maps severity_id %j to %s', (severityId, severity) => {
    expect(alertsOf('ocsf', ocsfFinding({ severityId }))[0]!.severity).toBe(severity);
  });

  it('reads the caption for severity_id 0 and 99, and names severity_id when neither says', () => {
    expect(alertsOf('ocsf', ocsfFinding({ severityId: 99, severity: 'Critical' }))[0]!.severity).toBe('critical');
    expect(alertsOf('ocsf', ocsfFinding({ severityId: 0, severity: 'Informational' }))[0]!.severity).toBe('low');
    expect(errorsOf('ocsf', ocsfFinding({ severityId: 0, severity: 'Whatever' })).map((e) => e.path)).toEqual(['severity_id']);
  });

  it('reads a Detection Finding: epoch-ms time, device, typed observables, attacks', () => {
    const [alert] = alertsOf('ocsf', ocsfFinding());
    expect(alert).toMatchObject({
      source: 'ocsf',
      sourceId: 'ldt:4f1e2d3c4b5a69788796a5b4c3d2e1f0:8589934592',
      title: 'LSASS memory read by unsigned process',
      detectedAt: '2024-11-26T03:14:07.482Z',
      firstEventAt: '2024-11-26T03:13:20.000Z',
      rule: { id: 'ind-credential-dumping', name: 'Credential Dumping' },
      assets: [{ hostname: 'fin-ws-17', ip: '10.20.3.17' }],
      mitre: [{ id: 'T1003.001', name: 'LSASS Memory' }],
      users: ['CORP\\jdoe'],
    });
    expect(alert!.observables).toEqual([
      { type: 'ip', value: '198.51.100.23' },
      { type: 'hash', value: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855' },
      { type: 'url', value: 'https://cdn.evil-updates.example/p.ps1' },
    ]);
  });

  it('takes the first resource with a host when there is no device; an array is a batch', () => {
    const alerts = alertsOf('ocsf', [ocsfFinding({ device: false, uid: 'a' }), ocsfFinding({ uid: 'b' })]);
    expect(alerts[0]!.assets).toEqual([{ hostname: 'ip-10-1-2-3.eu-west-1.compute.internal', ip: '10.1.2.3' }]);
    expect(alerts.map((a) => a.sourceId)).toEqual(['a', 'b']);
  });

  it('refuses other classes and keys on metadata.uid without a finding uid', () => {
    expect(errorsOf('ocsf', ocsfFinding({ classUid: 3002 })).map((e) => e.path)).toEqual(['class_uid']);
    const { finding_info: info, ...rest } = ocsfFinding();
    const noUid = { ...rest, finding_info: { ...info, uid: undefined } };
    expect(alertsOf('ocsf', noUid)[0]!.sourceId).toBe('meta-7f1c');
  });
});

describe('Microsoft Sentinel', () => {
  it('reads a Logic App trigger body: one incident, its entities and the techniques of its alerts', () => {
    const [alert] = alertsOf('sentinel', sentinelTrigger());
    expect(alert).toMatchObject({
      source: 'sentinel',
      sourceId: '2f8b1c6e-3f0c-4a2b-9d6e-8c1f0a7b5e42',
      title: 'Multistage attack involving mass file deletion',
      severity: 'high',
      detectedAt: '2026-11-26T03:20:11.500Z',
      firstEventAt: '2026-11-26T02:58:00.000Z',
      rule: { id: '6b4c2a1e-9f8d-4e7c-b6a5-d4c3b2a1f0e9' },
      assets: [{ hostname: 'sp-frontend-03' }],
      techniques: ['T1078', 'T1078.004', 'T1485'],
      users: ['mrossi@corp.example'],
    });
    expect(alert!.observables).toEqual([
      { type: 'ip', value: '185.220.101.4' },
      { type: 'url', value: 'https://corp.sharepoint.example/sites/finance' },
      { type: 'hash', value: '2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae' },
    ]);
  });

  it.each([
    ['High', 'high'],
    ['Medium', 'medium'],
    ['Low', 'low'],
    ['Informational', 'low'],
  ])('maps severity %s to %s', (word, severity) => {
    expect(alertsOf('sentinel', sentinelTrigger({ severity: word }))[0]!.severity).toBe(severity);
  });

  it('keys an Update event as its incident, and reads the incident resource posted alone', () => {
    const created = alertsOf('sentinel', sentinelTrigger())[0]!;
    const updated = alertsOf('sentinel', sentinelTrigger({ event: 'Update' }))[0]!;
    expect(updated.sourceId).toBe(created.sourceId);
    expect(alertsOf('sentinel', sentinelTrigger().object)[0]!.sourceId).toBe(created.sourceId);
  });

  it('names the fields at fault', () => {
    expect(errorsOf('sentinel', sentinelTrigger({ severity: 'Critical!' })).map((e) => e.path)).toEqual(['object.properties.severity']);
    expect(errorsOf('sentinel', { hello: 1 }).map((e) => e.path)).toEqual(['object']);
  });
});

describe('correlation keys', () => {
  const [wazuh] = alertsOf('sentinel', sentinelTrigger());
  it('keeps the default key when a playbook sets none', () => {
    expect(correlationKey(wazuh!)).toBe('sentinel|rule:6b4c2a1e-9f8d-4e7c-b6a5-d4c3b2a1f0e9|asset:sp-frontend-03');
  });

  it('builds a playbook key from the parts it names', () => {
    const spec = { key: ['source', 'user', 'observable:ip', 'field:object.properties.incidentNumber'] };
    expect(correlationKey(wazuh!, { id: 'acct', correlation: spec })).toBe('pb:acct|source=sentinel|user=mrossi@corp.example|observable:ip=185.220.101.4|field:object.properties.incidentNumber=4711');
  });

  it('keys an alert with nothing to correlate on by its own id', () => {
    const spec = { key: ['source', 'observable:domain'] };
    expect(correlationKey(wazuh!, { id: 'x', correlation: spec })).toBe(`sentinel|id:${wazuh!.sourceId}`);
  });
});
