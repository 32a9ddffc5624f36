/**
 * The KPI catalogue: every figure `GET /v1/kpis` answers, defined in words and, for durations,
 * as the time between two named milestones (`marks` in the playbook). Published as is by
 * `GET /v1/kpis/definitions`, so a figure never means something other than what it says.
 */

export const GROUP_BY = ['businessUnit', 'category', 'severity', 'priority', 'playbook', 'source', 'month'] as const;
export type GroupBy = (typeof GROUP_BY)[number];

export const DURATION_KEYS = ['mttd', 'mtta', 'mttc', 'mtte', 'mttrec', 'mttr'] as const;
export type DurationKey = (typeof DURATION_KEYS)[number];

export const RATE_KEYS = [
  'slaCompliance',
  'slaBreaches',
  'escalations',
  'reopenRate',
  'falsePositiveRate',
  'alertsPerIncident',
  'duplicatesSuppressed',
  'enrichmentAutomationRate',
  'gateRejectionRate',
] as const;
export type RateKey = (typeof RATE_KEYS)[number];

export interface KpiDefinition {
  key: string;
  name: string;
  kind: 'duration' | 'rate' | 'count' | 'effort';
  unit: 'seconds' | 'ratio' | 'count' | 'minutes' | 'currency';
  definition: string;
  /** For durations: the milestone measured from and the one measured to. */
  from?: string;
  to?: string;
}

const duration = (key: DurationKey | 'stage:<name>' | 'approval', name: string, from: string, to: string, definition: string): KpiDefinition => ({
  key,
  name,
  kind: 'duration',
  unit: 'seconds',
  from,
  to,
  definition,
});

const NOT_ZERO = 'An incident that has not reached both milestones is not counted (never counted as zero); n says how many were.';

export const KPI_DEFINITIONS: KpiDefinition[] = [
  duration('mttd', 'Mean time to detect', 'firstEvent', 'detected', `The first alert's detectedAt minus the earliest event time its source gave (firstEventAt). Only alerts whose source gave both count; incidents reported by people have no detection time. ${NOT_ZERO}`),
  duration('mtta', 'Mean time to acknowledge', 'created', 'acknowledged', `From the incident's creation to the first stage that marks "acknowledged". ${NOT_ZERO}`),
  duration('mttc', 'Mean time to contain', 'created', 'contained', `From creation to the first stage that marks "contained". ${NOT_ZERO}`),
  duration('mtte', 'Mean time to eradicate', 'contained', 'eradicated', `From "contained" to the first stage that marks "eradicated". ${NOT_ZERO}`),
  duration('mttrec', 'Mean time to recover', 'eradicated', 'recovered', `From "eradicated" to the first stage that marks "recovered". ${NOT_ZERO}`),
  duration('mttr', 'Mean time to resolve', 'created', 'resolved', `From creation to the first stage that marks "resolved". ${NOT_ZERO}`),
  duration('stage:<name>', 'Time in stage', 'stage entered', 'stage left', 'Seconds an incident spent in the stage, summed over its finished visits; a visit still under way is not counted. n counts incidents with at least one finished visit.'),
  duration('approval', 'Approval latency', 'approval requested', 'approval decided', 'From an approval request to its decision: the approval that completes the quorum, or the first rejection. A withdrawn request is not counted. n counts decided requests.'),
  {
    key: 'slaCompliance',
    name: 'SLA compliance',
    kind: 'rate',
    unit: 'ratio',
    definition:
      'Incidents whose every SLA clock was met, divided by incidents with at least one clock whose outcome is known (a clock breached, or every clock stopped). Clocks count business hours where the playbook says so and stop while the incident is on hold: paused time is left out of SLA figures, and only of them.',
  },
  { key: 'slaBreaches', name: 'SLA breaches', kind: 'count', unit: 'count', definition: 'SLA clocks that reached their target while running (each clock breaches at most once).' },
  { key: 'escalations', name: 'Escalations', kind: 'count', unit: 'count', definition: 'Escalation ladder steps that fired, repeats included.' },
  { key: 'reopenRate', name: 'Reopen rate', kind: 'rate', unit: 'ratio', definition: 'Incidents reopened at least once (moved from a closed stage to an open one), divided by incidents that were ever closed.' },
  {
    key: 'falsePositiveRate',
    name: 'False-positive rate',
    kind: 'rate',
    unit: 'ratio',
    definition: 'Closed incidents whose last closing event was close_false_positive, divided by closed incidents.',
  },
  { key: 'alertsPerIncident', name: 'Alerts per incident', kind: 'rate', unit: 'count', definition: 'Alerts the incidents hold (after de-duplication), divided by incidents.' },
  {
    key: 'duplicatesSuppressed',
    name: 'Duplicates suppressed',
    kind: 'count',
    unit: 'count',
    definition: 'Alerts posted again with a (source, sourceId) already delivered: answered deduplicated, not added to the incident.',
  },
  {
    key: 'enrichmentAutomationRate',
    name: 'Enrichment automation rate',
    kind: 'rate',
    unit: 'ratio',
    definition:
      'Context lookups answered automatically by a connector, divided by all lookups the playbooks asked for. A failed lookup (enrichment_failed) leaves its findings to be gathered by hand.',
  },
  {
    key: 'gateRejectionRate',
    name: 'Gate rejection rate',
    kind: 'rate',
    unit: 'ratio',
    definition:
      "Transition attempts a stage's gate refused (409 event not allowed, 422 procedure not met), divided by all attempts (refused plus accepted; an approval request counts once). Refused attempts never enter the workflow's history; the API counts them.",
  },
  { key: 'effort.minutes', name: 'Effort', kind: 'effort', unit: 'minutes', definition: 'Minutes of work logged with POST /v1/incidents/:id/work-log.' },
  { key: 'effort.cost', name: 'Cost', kind: 'effort', unit: 'currency', definition: 'Effort in hours times IRFLOW_HOURLY_RATE; absent when the rate is not set.' },
];

export const GROUP_BY_DEFINITIONS: Record<GroupBy, string> = {
  businessUnit: "The business unit of the incident's first affected asset (else the first business unit found); null when unknown.",
  category: "The incident's category (from its first alert, or given by the person who reported it).",
  severity: "The incident's severity now.",
  priority: "The incident's priority now.",
  playbook: 'The playbook the incident follows.',
  source: 'The source of its first alert (generic, wazuh, …), or "reported" when a person opened it.',
  month: 'The month the incident was created, in UTC (YYYY-MM).',
};

export const WINDOW_DEFINITION = 'Incidents created in [from, to). Without `to`, now; without `from`, 30 days before `to`.';
