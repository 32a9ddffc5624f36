/** The service catalogue's reports: each name, what it answers, in words. Pure data. */

export const REPORT_NAMES = [
  'root-causes',
  'policy-violations',
  'threat-trends',
  'targeting',
  'change-correlation',
  'control-effectiveness',
  'high-risk-operations',
  'cost',
  'risk-outcomes',
  'policy-conflicts',
] as const;
export type ReportName = (typeof REPORT_NAMES)[number];

export const REPORT_DEFINITIONS: Record<ReportName, { title: string; description: string }> = {
  'root-causes': {
    title: 'Root causes',
    description:
      "Incidents with a root cause (field rootCause) by month, business unit and root cause; `controlled` says whether the value is on the playbook's controlled list (fields.rootCause.values) or free text.",
  },
  'policy-violations': {
    title: 'Policy violations',
    description: 'Incidents of category policy-violation or compliance by month and business unit, with how many are still open.',
  },
  'threat-trends': {
    title: 'Threat trends',
    description: 'Per month, incidents by threat source and by vector (fields threatSource, vector) and by MITRE ATT&CK technique named by their alerts.',
  },
  targeting: {
    title: 'Targeting',
    description:
      'Incidents by business unit and business process in the window, against the previous period of the same length (`previous`, `change` = (incidents − previous) / previous), and per month.',
  },
  'change-correlation': {
    title: 'Change correlation',
    description:
      'Incidents flagged change-related (a recorded change touched an affected asset shortly before detection): by change, by asset, and by kind of change, with the exposures (category exposure or misconfiguration) each kind led to; exposureTrend: the exposures exposure rules opened from configuration changes, by month and change kind (type trending of configuration changes that result in exposures).',
  },
  'control-effectiveness': {
    title: 'Control effectiveness',
    description:
      "Per detecting source and rule (the incident's first alert): incidents detected, median time to detect (seconds), share closed as false positives. The gap: incidents reported by people that no control detected (no alert ever joined them), by category.",
  },
  'high-risk-operations': {
    title: 'High-risk operations',
    description:
      'Assets and business processes ranked by incidents per change: incidents in the window that touched the asset (or an asset of the process) divided by changes to it planned in the window. Only those with at least one change.',
  },
  cost: {
    title: 'Cost of response',
    description: 'Work logged per business unit: incidents, minutes, hours, and cost and cost per incident when IRFLOW_HOURLY_RATE is set.',
  },
  'risk-outcomes': {
    title: 'Risk outcomes',
    description:
      'Per risk exception that covered (imported, or approved): the incidents created on its assets or rules while it covered, how severe, the effort (minutes, hours, cost with IRFLOW_HOURLY_RATE), SLA breaches and root causes; byRule: the same per rule the exceptions name. The measured outcome of each risk decision.',
  },
  'policy-conflicts': {
    title: 'Policy conflicts',
    description:
      'Per rule (alert rule or exposure rule) and business unit: the risk exceptions naming it, its false positives and its exposures reopened, most conflicts first: policy items that present conflict with business operations.',
  },
};
