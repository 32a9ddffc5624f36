/** A small, known world of context: assets, business units, changes, risk exceptions, intel. */
const hoursAgo = (h: number) => new Date(Date.now() - h * 3600_000).toISOString();
const inDays = (d: number) => new Date(Date.now() + d * 86400_000).toISOString();

export const WORLD = {
  'business-units': [
    { id: 'payments', name: 'Payments', criticality: 'critical', manager: 'pat' },
    { id: 'marketing', name: 'Marketing', criticality: 'low' },
  ],
  assets: [
    { id: 'A-WEB01', hostname: 'web01', ips: ['10.0.0.12'], owner: 'ops-web', businessUnit: 'payments', businessProcess: 'card checkout', criticality: 'high' },
    { id: 'A-CMS', hostname: 'cms01', ips: ['10.0.5.20'], owner: 'ops-cms', businessUnit: 'marketing', criticality: 'low' },
  ],
  changes: [
    { id: 'CHG-RECENT', assetIds: ['A-WEB01'], title: 'Open port 8443 on web01', plannedStart: hoursAgo(30), plannedEnd: hoursAgo(29), status: 'implemented' },
    { id: 'CHG-OLD', assetIds: ['A-WEB01'], title: 'Patch web01', plannedStart: hoursAgo(200), plannedEnd: hoursAgo(199), status: 'implemented' },
    { id: 'CHG-CMS', assetIds: ['A-CMS'], title: 'CMS upgrade', plannedStart: hoursAgo(5), plannedEnd: hoursAgo(4), status: 'implemented' },
  ],
  'risk-exceptions': [
    { id: 'RX-CMS', assetIds: ['A-CMS'], expiresAt: inDays(30), justification: 'legacy plugin until Q3', owner: 'ciso' },
    { id: 'RX-EXPIRED', assetIds: ['A-WEB01'], expiresAt: hoursAgo(1), justification: 'expired', owner: 'ciso' },
  ],
  intel: [
    { indicator: 'evil.example', type: 'domain', verdict: 'malicious', confidence: 90, source: 'misp' },
    { indicator: '203.0.113.9', type: 'ip', verdict: 'suspicious', confidence: 40, source: 'otx' },
    { indicator: 'D41D8CD98F00B204E9800998ECF8427E', type: 'hash', verdict: 'malicious', confidence: 95, source: 'vt' },
  ],
} as const;
