/**
 * Payloads as each SIEM sends them, written from the vendors' documented formats: a Wazuh alert
 * (alerts.json / integratord), a Kibana webhook connector's alert document, a Splunk webhook
 * alert action body, an OCSF Detection Finding, and a Sentinel Logic App incident trigger body.
 * Functions, so each test varies ids without sharing state.
 */

export function wazuhAlert(over: { id?: string; manager?: string; level?: unknown; agent?: Record<string, unknown>; fullLog?: string; timestamp?: string } = {}) {
  return {
    timestamp: over.timestamp ?? '2026-11-26T03:14:07.482+0000',
    rule: {
      level: over.level ?? 12,
      description: 'sshd: brute force trying to get access to the system. Authentication failed.',
      id: '5763',
      mitre: { id: ['T1110', 'T1110.001'], tactic: ['Credential Access'], technique: ['Brute Force', 'Password Guessing'] },
      frequency: 8,
      firedtimes: 3,
      mail: false,
      groups: ['syslog', 'sshd', 'authentication_failures'],
      pci_dss: ['11.4', '10.2.4', '10.2.5'],
    },
    agent: over.agent ?? { id: '003', name: 'web-01', ip: '10.0.4.21' },
    manager: { name: over.manager ?? 'wazuh-manager-eu' },
    id: over.id ?? '1732590847.1234567',
    cluster: { name: 'wazuh', node: over.manager ?? 'wazuh-manager-eu' },
    full_log: over.fullLog ?? 'Nov 26 03:14:07 web-01 sshd[28133]: Failed password for invalid user admin from 203.0.113.77 port 53822 ssh2',
    predecoder: { program_name: 'sshd', timestamp: 'Nov 26 03:14:07', hostname: 'web-01' },
    decoder: { parent: 'sshd', name: 'sshd' },
    data: { srcip: '203.0.113.77', srcport: '53822', dstuser: 'admin' },
    location: '/var/log/auth.log',
  };
}

/** A file integrity alert raised on the manager itself (agent 000: no ip). */
export function wazuhSyscheckAlert(id = '1732590901.99') {
  return {
    timestamp: '2026-11-26T03:15:01.004-0500',
    rule: { level: '7', description: 'Integrity checksum changed.', id: '550', groups: ['ossec', 'syscheck', 'syscheck_entry_modified'] },
    agent: { id: '000', name: 'wazuh-manager-eu' },
    manager: { name: 'wazuh-manager-eu' },
    id,
    syscheck: {
      path: '/usr/bin/sshd',
      event: 'modified',
      sha256_after: 'E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855',
      md5_after: 'd41d8cd98f00b204e9800998ecf8427e',
    },
    location: 'syscheck',
  };
}

export function elasticAlert(over: { uuid?: string; severity?: string; risk?: number | string; host?: boolean; timestamp?: string } = {}) {
  return {
    '@timestamp': over.timestamp ?? '2026-11-26T03:14:09.120Z',
    'kibana.alert.uuid': over.uuid ?? 'a6c1f7e0c1b2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8',
    'kibana.alert.rule.rule_id': '9a1a2dae-0b5f-4c3d-8305-a268d404c306',
    'kibana.alert.rule.name': 'Suspicious PowerShell Engine ImageLoad',
    'kibana.alert.rule.type': 'query',
    'kibana.alert.reason': 'library event with process powershell.exe, file System.Management.Automation.dll, on fin-ws-17 created high alert',
    ...(over.severity === undefined ? {} : { 'kibana.alert.severity': over.severity }),
    'kibana.alert.risk_score': over.risk ?? 73,
    'kibana.alert.original_time': '2026-11-26T03:13:58.000Z',
    'kibana.alert.workflow_status': 'open',
    'kibana.alert.rule.threat': [
      {
        framework: 'MITRE ATT&CK',
        tactic: { id: 'TA0002', name: 'Execution', reference: 'https://attack.mitre.org/tactics/TA0002/' },
        technique: [{ id: 'T1059', name: 'Command and Scripting Interpreter', subtechnique: [{ id: 'T1059.001', name: 'PowerShell' }] }],
      },
    ],
    ...(over.host === false ? {} : { host: { name: 'fin-ws-17', hostname: 'fin-ws-17', ip: ['fe80::1', '10.20.3.17'], os: { family: 'windows' } } }),
    source: { ip: '10.20.3.17' },
    destination: { ip: '198.51.100.23', port: 443 },
    dns: { question: { name: 'cdn.evil-updates.example' } },
    file: { hash: { sha256: '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08' } },
    user: { name: 'jdoe' },
    event: { kind: 'signal', category: ['library'] },
  };
}

export function splunkWebhook(over: { sid?: string; result?: Record<string, string>; searchName?: string | null } = {}) {
  return {
    sid: over.sid ?? 'scheduler__admin__search__RMD5f3c2a1b0d9e8f7a6_at_1732590840_1234',
    search_name: over.searchName === undefined ? 'Excessive Failed Logins' : over.searchName,
    app: 'search',
    owner: 'admin',
    results_link: 'https://splunk.example.internal:8000/app/search/@go?sid=scheduler__admin__search__RMD5f3c2a1b0d9e8f7a6_at_1732590840_1234',
    result: over.result ?? {
      _time: '1732590847.482',
      dest: 'dc-02.corp.example',
      src_ip: '203.0.113.77',
      user: 'svc_backup',
      count: '57',
      urgency: 'HIGH',
      annotations: '{"mitre_attack": ["T1110"]}',
      mitre_technique_id: 'T1110.003',
    },
  };
}

export function ocsfFinding(over: { uid?: string; severityId?: number | string; severity?: string; device?: boolean; classUid?: number } = {}) {
  return {
    class_uid: over.classUid ?? 2004,
    class_name: 'Detection Finding',
    category_uid: 2,
    activity_id: 1,
    type_uid: 200401,
    severity_id: over.severityId ?? 4,
    ...(over.severity ? { severity: over.severity } : { severity: 'High' }),
    time: 1732590847482,
    status_id: 1,
    message: 'Credential dumping via LSASS access',
    metadata: { uid: 'meta-7f1c', version: '1.3.0', product: { name: 'Falcon', vendor_name: 'CrowdStrike' } },
    finding_info: {
      uid: over.uid ?? 'ldt:4f1e2d3c4b5a69788796a5b4c3d2e1f0:8589934592',
      title: 'LSASS memory read by unsigned process',
      analytic: { uid: 'ind-credential-dumping', name: 'Credential Dumping', type_id: 1 },
      types: ['Credential Access'],
      first_seen_time: 1732590800000,
      attacks: [{ technique: { uid: 'T1003.001', name: 'LSASS Memory' }, tactic: { uid: 'TA0006', name: 'Credential Access' }, version: '14' }],
    },
    ...(over.device === false
      ? { resources: [{ type: 'AWS::EC2::Instance', uid: 'i-0abc' }, { hostname: 'ip-10-1-2-3.eu-west-1.compute.internal', ip: '10.1.2.3' }] }
      : { device: { hostname: 'fin-ws-17', ip: '10.20.3.17', type_id: 2, os: { name: 'Windows 11' } } }),
    observables: [
      { name: 'dst_endpoint.ip', type_id: 2, type: 'IP Address', value: '198.51.100.23' },
      { name: 'file.hashes.value', type_id: 8, type: 'Hash', value: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855' },
      { name: 'actor.user.name', type_id: 4, type: 'User Name', value: 'CORP\\jdoe' },
      { name: 'url', type_id: 6, type: 'URL String', value: 'https://cdn.evil-updates.example/p.ps1' },
    ],
  };
}

export function sentinelTrigger(over: { name?: string; event?: 'Create' | 'Update'; severity?: string } = {}) {
  const name = over.name ?? '2f8b1c6e-3f0c-4a2b-9d6e-8c1f0a7b5e42';
  const ws = '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/soc/providers/Microsoft.OperationalInsights/workspaces/soc-ws';
  return {
    eventUniqueId: 'c3d8a1b2-0f9e-4d7c-8b6a-5e4d3c2b1a09',
    objectSchemaType: 'Incident',
    objectEventType: over.event ?? 'Create',
    workspaceInfo: { SubscriptionId: '00000000-0000-0000-0000-000000000000', ResourceGroupName: 'soc', WorkspaceName: 'soc-ws' },
    workspaceId: '8d6c2b1a-0000-4000-8000-000000000000',
    object: {
      id: `${ws}/providers/Microsoft.SecurityInsights/Incidents/${name}`,
      name,
      etag: '"0300bf09-0000-0c00-0000-6745b1f00000"',
      type: 'Microsoft.SecurityInsights/Incidents',
      properties: {
        title: 'Multistage attack involving mass file deletion',
        description: 'A user account deleted 500 files from a SharePoint site after a suspicious sign-in.',
        severity: over.severity ?? 'High',
        status: over.event === 'Update' ? 'Active' : 'New',
        incidentNumber: 4711,
        createdTimeUtc: '2026-11-26T03:20:11.5Z',
        firstActivityTimeUtc: '2026-11-26T02:58:00Z',
        lastActivityTimeUtc: '2026-11-26T03:18:42Z',
        incidentUrl: `https://portal.azure.com/#asset/Microsoft_Azure_Security_Insights/Incident${ws}/Incidents/${name}`,
        additionalData: { alertsCount: 2, tactics: ['InitialAccess', 'Impact'], techniques: ['T1078'], alertProductNames: ['Azure Sentinel'] },
        relatedAnalyticRuleIds: [`${ws}/providers/Microsoft.SecurityInsights/alertRules/6b4c2a1e-9f8d-4e7c-b6a5-d4c3b2a1f0e9`],
        alerts: [
          { properties: { alertDisplayName: 'Sign-in from an anonymous IP', severity: 'Medium', tactics: ['InitialAccess'], techniques: ['T1078.004'] } },
          { properties: { alertDisplayName: 'Mass file deletion', severity: 'High', tactics: ['Impact'], techniques: ['T1485'] } },
        ],
        relatedEntities: [
          { id: `${ws}/entities/h1`, kind: 'Host', properties: { hostName: 'sp-frontend-03', dnsDomain: 'corp.example', friendlyName: 'sp-frontend-03' } },
          { id: `${ws}/entities/i1`, kind: 'Ip', properties: { address: '185.220.101.4', friendlyName: '185.220.101.4' } },
          { id: `${ws}/entities/a1`, kind: 'Account', properties: { accountName: 'mrossi', upnSuffix: 'corp.example', friendlyName: 'mrossi' } },
          { id: `${ws}/entities/u1`, kind: 'Url', properties: { url: 'https://corp.sharepoint.example/sites/finance' } },
          { id: `${ws}/entities/f1`, kind: 'FileHash', properties: { algorithm: 'SHA256', hashValue: '2C26B46B68FFC68FF99B453C1D30413413422D706483BFA0F98A5E886266E7AE' } },
        ],
      },
    },
  };
}
