/** A playbook with second-scale SLA targets, for clocks that run out within a test. */
export const SLA_DRILL = {
  id: 'sla-drill',
  name: 'SLA drill',
  match: { order: 1, ruleIds: ['sla-drill-*'] },
  initial: 'triage',
  on: { hold: { to: 'on_hold' } },
  slas: { resolve: { high: '20s', medium: '30s', low: '40s' } },
  stages: {
    triage: {
      marks: ['acknowledged'],
      sla: { P1: '2s', high: '4s', medium: '6s', low: '8s' },
      escalation: [
        { at: '50%', notify: ['assignee'] },
        { at: '100%', notify: ['soc-lead'], raisePriority: true },
        { at: '150%', notify: ['ciso'], repeatEvery: '1s' },
      ],
      on: { start: { to: 'work' } },
    },
    work: { marks: ['resolved'], on: { close: { to: 'closed' } } },
    on_hold: { pausesSla: true, returnOn: 'resume' },
    closed: { closed: true, marks: ['closed'] },
  },
};

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
