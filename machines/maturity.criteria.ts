/**
 * The CMMI maturity criteria, in one place: what each level asks of the measured operation,
 * the figure that shows it, and the threshold it must reach. `GET /v1/maturity` answers the
 * highest level whose criteria, and those of every level below, all pass over the incidents
 * created in the window. Level 1 (initial: work gets done, ad hoc) asks nothing. Pure.
 *
 * A figure that cannot be measured (no incident it applies to) is null and does not pass: a
 * level is demonstrated by data, never assumed.
 */

/** What the database measured over the window (db/maturity.reads.ts); shares are 0–1. */
export interface MaturityFacts {
  incidents: number;
  /** Incidents moved through their lifecycle (a transition accepted, or closed) / incidents. */
  lifecycleFollowed: number | null;
  /** Incidents whose pinned playbook gates at least one transition with a procedure / incidents. */
  gatedPlaybooks: number | null;
  /** Incidents whose playbook gathers asset and change context and got at least one answer / incidents. */
  contextGathered: number | null;
  /** Incidents whose playbook marks acknowledged, contained and resolved (MTTA, MTTC, MTTR defined) / incidents. */
  kpisDefined: number | null;
  /** Incidents whose priority was recomputed after opening (context, alerts, escalation). */
  priorityAdjusted: number;
  /** Context lookups answered by a connector / all lookups. */
  enrichmentAutomation: number | null;
  /** Incidents with a business unit and an SLA clock / incidents. */
  slaPerBusinessUnit: number | null;
  /** Incidents with a root cause whose playbook weighs the risk register (risk-exception context) / incidents with a root cause. */
  rootCausesMapped: number | null;
  /** Incidents an exposure rule opened from a configuration change (not an alert of category exposure). */
  exposuresFromChanges: number;
  /** Closed exposure incidents (not false positives) that passed a validation stage (marks eradicated) / such closed incidents. */
  remediationValidated: number | null;
  /** Risk exceptions approved through their lifecycle in the window: decisions whose outcome risk-outcomes measures. */
  riskDecisionsMeasured: number;
}

export interface MaturityCriterion {
  id: string;
  level: 2 | 3 | 4 | 5;
  title: string;
  fact: keyof MaturityFacts;
  unit: 'count' | 'ratio';
  /** The figure passes when it is at least this. */
  threshold: number;
}

export const MATURITY_LEVELS = [
  { level: 1, name: 'Initial', description: 'Incidents are handled, ad hoc.' },
  { level: 2, name: 'Managed', description: 'Incidents are tracked through a repeatable lifecycle.' },
  { level: 3, name: 'Defined', description: 'Transitions are gated by procedures, context comes from asset and change data, KPIs are defined.' },
  { level: 4, name: 'Quantitatively managed', description: 'Priority follows the data, enrichment is automatic, SLAs are measured per business unit, root causes are weighed against accepted risks.' },
  { level: 5, name: 'Optimizing', description: 'Exposures opened by configuration changes are handled as incidents, and remediation is validated before closure.' },
] as const;

export const MATURITY_CRITERIA: MaturityCriterion[] = [
  { id: 'incidents-tracked', level: 2, title: 'Incidents are recorded in irflow', fact: 'incidents', unit: 'count', threshold: 1 },
  { id: 'repeatable-lifecycle', level: 2, title: 'At least half the incidents moved through their playbook lifecycle', fact: 'lifecycleFollowed', unit: 'ratio', threshold: 0.5 },
  { id: 'gated-transitions', level: 3, title: 'At least 90 % of incidents follow a playbook whose transitions are gated by procedures', fact: 'gatedPlaybooks', unit: 'ratio', threshold: 0.9 },
  { id: 'asset-and-change-context', level: 3, title: 'At least 80 % of incidents got context from asset and change data', fact: 'contextGathered', unit: 'ratio', threshold: 0.8 },
  { id: 'kpis-defined', level: 3, title: 'At least 90 % of incidents follow a playbook marking the KPI milestones', fact: 'kpisDefined', unit: 'ratio', threshold: 0.9 },
  { id: 'dynamic-priority', level: 4, title: 'Priority was adjusted from the data on at least one incident', fact: 'priorityAdjusted', unit: 'count', threshold: 1 },
  { id: 'automated-enrichment', level: 4, title: 'At least 80 % of findings gathered automatically', fact: 'enrichmentAutomation', unit: 'ratio', threshold: 0.8 },
  { id: 'sla-per-business-unit', level: 4, title: 'SLA compliance measured per business unit for at least 80 % of incidents', fact: 'slaPerBusinessUnit', unit: 'ratio', threshold: 0.8 },
  { id: 'root-causes-mapped', level: 4, title: 'At least 80 % of root causes weighed against risk exceptions', fact: 'rootCausesMapped', unit: 'ratio', threshold: 0.8 },
  { id: 'exposure-from-configuration-change', level: 5, title: 'Exposure incidents opened by rule from configuration changes', fact: 'exposuresFromChanges', unit: 'count', threshold: 1 },
  { id: 'remediation-validated', level: 5, title: 'At least 90 % of closed exposures validated before closure', fact: 'remediationValidated', unit: 'ratio', threshold: 0.9 },
  { id: 'risk-outcome-measured', level: 5, title: 'Risk decisions taken through their lifecycle, their outcome measured', fact: 'riskDecisionsMeasured', unit: 'count', threshold: 1 },
];

export interface CriterionResult extends MaturityCriterion {
  figure: number | null;
  passes: boolean;
}

export interface MaturityAssessment {
  level: number;
  name: string;
  levels: { level: number; name: string; description: string; demonstrated: boolean; criteria: CriterionResult[] }[];
}

export function assessMaturity(facts: MaturityFacts): MaturityAssessment {
  let level = 1;
  let reached = true;
  const levels = MATURITY_LEVELS.map(({ level: n, name, description }) => {
    const criteria = MATURITY_CRITERIA.filter((c) => c.level === n).map((c) => {
      const figure = facts[c.fact];
      return { ...c, figure, passes: figure !== null && figure >= c.threshold };
    });
    const demonstrated = criteria.every((c) => c.passes);
    if (reached && demonstrated) level = n;
    else reached = false;
    return { level: n, name, description, demonstrated, criteria };
  });
  return { level, name: MATURITY_LEVELS[level - 1]!.name, levels };
}
