/**
 * Behaviour changed since incidents were first recorded. Each is asked only at the point where
 * old and new behaviour differ; the workflow answers with `patched()`, so histories recorded
 * before a change replay as they ran, and new runs take the new behaviour. Plain: no Temporal
 * imports (tests of the lifecycle object pass `CURRENT_BEHAVIOUR`).
 */
export interface IncidentPatches {
  /** An alert reaching a closed incident goes to a new one (before: it joined the closed one). */
  forwardAlertsOfClosedIncidents(): boolean;
  /** Repeats of an escalation step that fell due together fire once (before: once each). */
  collapseMissedRepeats(): boolean;
  /** Re-targeting to a target not yet reached clears a breach (before: the breach stayed). */
  clearBreachOnLongerTarget(): boolean;
  /** Overnight business hours (22:00–06:00) count (before: they counted nothing). */
  countOvernightHours(): boolean;
  /** Risk-exception expiry compares instants (before: text, wrong with `+02:00` offsets). */
  compareExpiryAsInstants(): boolean;
  /** A granted approval records the approver's roles, for the machine replay to check (before: not). */
  recordApproverRoles(): boolean;
}

export const PATCH_IDS: Record<keyof IncidentPatches, string> = {
  forwardAlertsOfClosedIncidents: 'forward-alerts-of-closed-incidents',
  collapseMissedRepeats: 'collapse-missed-repeats',
  clearBreachOnLongerTarget: 'clear-breach-on-longer-target',
  countOvernightHours: 'count-overnight-hours',
  compareExpiryAsInstants: 'compare-expiry-as-instants',
  recordApproverRoles: 'record-approver-roles',
};

export const CURRENT_BEHAVIOUR: IncidentPatches = {
  forwardAlertsOfClosedIncidents: () => true,
  collapseMissedRepeats: () => true,
  clearBreachOnLongerTarget: () => true,
  countOvernightHours: () => true,
  compareExpiryAsInstants: () => true,
  recordApproverRoles: () => true,
};
