/** Table tests of the SIEM adapters over payloads written from each vendor's documented format. */
import { describe, expect, it } from 'vitest';
import { MAX_RAW_BYTES } from '../../machines/adapters/fields.js';
import { alertsOf, errorsOf } from '../support/siem-adapt.js';
import { elasticAlert, wazuhAlert, wazuhSyscheckAlert } from '../support/siem-payloads.js';

describe('Wazuh', () => {
  it.each([
    [0, 'low'],
    [6, 'low'],
    [7, 'medium'],
    ['11', 'medium'],
    [12, 'high'],
    ['14', 'high'],
    [15, 'critical'],
    [16, 'critical'],
    ['informational', 'low'],
    ['Critical', 'critical'],
  ])('maps rule.level %j to %s', (level, severity) => {
    expect(alertsOf('wazuh', wazuhAlert({ level }))[0]!.severity).toBe(severity);
  });

  it('reads an integratord alert: asset, observables, techniques, colon-less offset, dedup key per manager', () => {
    const [alert] = alertsOf('wazuh', wazuhAlert());
    expect(alert).toMatchObject({
      source: 'wazuh',
      sourceId: 'wazuh-manager-eu:1732590847.1234567',
      title: 'sshd: brute force trying to get access to the system. Authentication failed.',
      severity: 'high',
      detectedAt: '2026-11-26T03:14:07.482Z',
      rule: { id: '5763' },
      category: 'syslog',
      assets: [{ hostname: 'web-01', ip: '10.0.4.21' }],
      observables: [{ type: 'ip', value: '203.0.113.77' }],
      techniques: ['T1110', 'T1110.001'],
      mitre: [{ id: 'T1110', name: 'Brute Force' }, { id: 'T1110.001', name: 'Password Guessing' }],
      users: ['admin'],
    });
  });

  it('keeps the same id from two managers apart', () => {
    const a = alertsOf('wazuh', wazuhAlert({ id: '1.1', manager: 'eu' }))[0]!;
    const b = alertsOf('wazuh', wazuhAlert({ id: '1.1', manager: 'us' }))[0]!;
    expect(a.sourceId).not.toBe(b.sourceId);
  });

  it('gives a manager-local alert (agent 000) its name and no invented address; file hashes become observables', () => {
    const [alert] = alertsOf('wazuh', wazuhSyscheckAlert());
    expect(alert!.assets).toEqual([{ hostname: 'wazuh-manager-eu' }]);
    expect(alert!.severity).toBe('medium');
    expect(alert!.detectedAt).toBe('2026-11-26T08:15:01.004Z');
    expect(alert!.observables).toEqual([
      { type: 'hash', value: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855' },
      { type: 'hash', value: 'd41d8cd98f00b204e9800998ecf8427e' },
    ]);
  });

  it('reads NDJSON, one alert a line, and rejects the whole body at a broken line', () => {
    const lines = [wazuhAlert({ id: '1' }), wazuhSyscheckAlert('2'), wazuhAlert({ id: '3' })].map((a) => JSON.stringify(a));
    expect(alertsOf('wazuh', `${lines.join('\n')}\n`).map((a) => a.sourceId)).toEqual(['wazuh-manager-eu:1', 'wazuh-manager-eu:2', 'wazuh-manager-eu:3']);
    const broken = [lines[0], lines[1]!.slice(0, 40), lines[2]].join('\n');
    expect(errorsOf('wazuh', broken)).toEqual([expect.objectContaining({ path: 'line 2' })]);
  });

  it('names the source field at fault, for every alert of the body', () => {
    const errors = errorsOf('wazuh', [wazuhAlert({ level: 'loud' }), { ...wazuhAlert(), id: undefined, manager: undefined, cluster: undefined }]);
    expect(errors.map((e) => e.path)).toEqual(['[0].rule.level', '[1].id', '[1].manager.name']);
  });

  it('refuses an id too long to key on rather than cut it (two ids would become one)', () => {
    expect(errorsOf('wazuh', wazuhAlert({ id: '7'.repeat(201) }))).toEqual([{ path: 'id', message: 'is longer than 200 characters' }]);
    expect(alertsOf('wazuh', wazuhAlert({ id: '7'.repeat(200) }))[0]!.sourceId).toHaveLength('wazuh-manager-eu:'.length + 200);
  });

  it('takes an 80 KB full_log, NUL and lone surrogates (made storable and listed)', () => {
    const [alert] = alertsOf('wazuh', wazuhAlert({ fullLog: `${'x'.repeat(80_000)}\u0000 \ud800 end` }));
    expect(alert!.normalised).toEqual(['full_log']);
    expect((alert!.raw as { full_log: string }).full_log.endsWith('\uFFFD \uFFFD end')).toBe(true);
  });

  it('keeps the first 256 KiB of a larger payload and says it was truncated', () => {
    const [alert] = alertsOf('wazuh', wazuhAlert({ fullLog: 'y'.repeat(400_000) }));
    const raw = alert!.raw as { truncated: boolean; bytes: number; text: string };
    expect(raw.truncated).toBe(true);
    expect(raw.bytes).toBeGreaterThan(400_000);
    expect(new TextEncoder().encode(raw.text).length).toBeLessThanOrEqual(MAX_RAW_BYTES);
  });
});

describe('Elastic Security', () => {
  it('reads flat kibana.alert.* keys beside nested ECS objects', () => {
    const [alert] = alertsOf('elastic', elasticAlert({ severity: 'high' }));
    expect(alert).toMatchObject({
      source: 'elastic',
      sourceId: elasticAlert()['kibana.alert.uuid'],
      severity: 'high',
      rule: { id: '9a1a2dae-0b5f-4c3d-8305-a268d404c306', name: 'Suspicious PowerShell Engine ImageLoad' },
      assets: [{ hostname: 'fin-ws-17', ip: '10.20.3.17' }],
      techniques: ['T1059', 'T1059.001'],
      mitre: [{ id: 'T1059', name: 'Command and Scripting Interpreter' }, { id: 'T1059.001', name: 'PowerShell' }],
      users: ['jdoe'],
    });
    expect(alert!.observables).toEqual([
      { type: 'ip', value: '10.20.3.17' },
      { type: 'ip', value: '198.51.100.23' },
      { type: 'hash', value: '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08' },
      { type: 'domain', value: 'cdn.evil-updates.example' },
    ]);
  });

  it('reads the same alert fully nested, as in _source', () => {
    const nested = { _id: 'x', _source: { '@timestamp': '2026-11-26T03:14:09Z', kibana: { alert: { uuid: 'u-1', severity: 'low', rule: { rule_id: 'r-1', name: 'R' } } }, host: { name: 'h1' } } };
    expect(alertsOf('elastic', nested)[0]).toMatchObject({ sourceId: 'u-1', severity: 'low', rule: { id: 'r-1' }, assets: [{ hostname: 'h1' }] });
  });

  it.each([
    [0, 'low'],
    [21, 'low'],
    [22, 'medium'],
    ['47', 'medium'],
    [48, 'high'],
    [73, 'high'],
    [74, 'critical'],
    [100, 'critical'],
  ])('takes severity from the risk score %j alone: %s', (risk, severity) => {
    expect(alertsOf('elastic', elasticAlert({ risk }))[0]!.severity).toBe(severity);
  });

  it('reads a summary body and a bare array; a connector retry (new @timestamp) keeps its key', () => {
    const first = elasticAlert({ uuid: 'u-7' });
    const retry = elasticAlert({ uuid: 'u-7', timestamp: '2026-11-26T03:19:00Z' });
    const summary = alertsOf('elastic', { alerts: [first, elasticAlert({ uuid: 'u-8' })] });
    expect(summary.map((a) => a.sourceId)).toEqual(['u-7', 'u-8']);
    expect(alertsOf('elastic', [retry])[0]!.sourceId).toBe('u-7');
  });

  it('gives a threshold alert without a host no asset', () => {
    expect(alertsOf('elastic', elasticAlert({ host: false }))[0]!.assets).toEqual([]);
  });

  it('names the field at fault', () => {
    const { ['kibana.alert.uuid']: _dropped, ...noId } = elasticAlert();
    expect(errorsOf('elastic', { alerts: [elasticAlert(), noId] }).map((e) => e.path)).toEqual(['alerts[1].kibana.alert.uuid']);
    expect(errorsOf('elastic', elasticAlert({ risk: 'n/a' })).map((e) => e.path)).toEqual(['kibana.alert.risk_score']);
  });
});
