/**
 * A playbook with short SLA targets, in a unit of time of the test's choosing: seconds for clocks
 * that run out in real time on a dev server, hours on the time-skipping server (see slaDrill).
 */
export function slaDrill(unit: 's' | 'h') {
  const t = (n: number) => `${n}${unit}`;
  return {
    id: 'sla-drill',
    name: 'SLA drill',
    match: { order: 1, ruleIds: ['sla-drill-*'] },
    initial: 'triage',
    on: { hold: { to: 'on_hold' } },
    slas: { resolve: { high: t(20), medium: t(30), low: t(40) } },
    stages: {
      triage: {
        marks: ['acknowledged'],
        sla: { P1: t(2), high: t(4), medium: t(6), low: t(8) },
        escalation: [
          { at: '50%', notify: ['assignee'] },
          { at: '100%', notify: ['soc-lead'], raisePriority: true },
          { at: '150%', notify: ['ciso'], repeatEvery: t(1) },
        ],
        on: { start: { to: 'work' } },
      },
      work: { marks: ['resolved'], on: { close: { to: 'closed' } } },
      on_hold: { pausesSla: true, returnOn: 'resume' },
      closed: { closed: true, marks: ['closed'] },
    },
  };
}

/** Second-scale targets, for clocks that run out within a test on a dev server. */
export const SLA_DRILL = slaDrill('s');

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
