/**
 * Golden histories: the Temporal history of a full walk of every shipped playbook, committed
 * here and replayed against today's workflow code on every CI run. A change to workflow or
 * machine code that would break incidents in flight fails this test. Re-record (and review the
 * diff) only for a change that is patched (`patched()`) or that no running incident can meet:
 *   npm run golden:record
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { findTransition } from '../../machines/procedure.js';
import { createReplayer } from '../../runtime/replayer.js';
import { shippedPlaybook } from '../support/playbooks.js';
import { startStack, workflowBundle } from '../support/stack.js';
import { recordRichWalk } from './rich-walk.js';
import { recordCaseworkWalk } from './casework-walk.js';
import { recordLookupsWalk } from './lookups-walk.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const recording = process.env.IRFLOW_RECORD_GOLDEN === '1';

/** Each shipped playbook's walk from its initial stage to closed. */
const WALKS: Record<string, string[]> = {
  default: ['acknowledge', 'start_analysis', 'hold', 'resume', 'contain', 'eradicate', 'recover', 'resolve', 'close'],
  'managed-queue': ['start', 'close'],
  quantitative: ['acknowledge', 'start_analysis', 'contain', 'eradicate', 'recover', 'resolve', 'close'],
  'exposure-response': ['assess', 'remediate', 'validate', 'close'],
};

interface Golden {
  playbook: string;
  workflowId: string;
  history: unknown;
}

describe.runIf(recording)('recording golden histories', () => {
  it('walks every shipped playbook and writes its history', async () => {
    const stack = await startStack();
    try {
      const analyst = await stack.token(['analyst'], 'alice');
      const approvers = [await stack.token(['approver'], 'bob'), await stack.token(['approver'], 'carol')];
      const auditor = await stack.token(['auditor']);
      for (const [id, walk] of Object.entries(WALKS)) {
        const playbook = shippedPlaybook(id);
        const created = await stack.call('POST', '/v1/incidents', analyst, { title: `golden ${id}`, severity: 'high', playbook: id });
        let stage = created.body.stage as string;
        for (const event of walk) {
          const requires = findTransition(playbook, stage, event)?.requires;
          const body = {
            event,
            fields: Object.fromEntries((requires?.fields ?? []).map((f) => [f, `${f} (golden)`])),
            checklist: requires?.checklist ?? [],
          };
          let answer = await stack.call('POST', `/v1/incidents/${created.body.id}/transitions`, analyst, body);
          for (let i = 0; answer.status === 202; i += 1) {
            answer = await stack.call('POST', `/v1/incidents/${created.body.id}/approvals`, approvers[i]!, { event, decision: 'approve' });
          }
          expect(answer.status, `${id}: ${event}: ${JSON.stringify(answer.body)}`).toBe(200);
          stage = answer.body.stage;
        }
        expect(playbook.stages[stage]?.closed, `${id} ends closed`).toBe(true);
        await new Promise((resolve) => setTimeout(resolve, 500)); // let context lookups land
        const history = (await stack.call('GET', `/v1/incidents/${created.body.id}/export`, auditor)).body.temporalHistory;
        const golden: Golden = { playbook: id, workflowId: created.body.id, history };
        writeFileSync(`${here}${id}.history.json`, `${JSON.stringify(golden, null, 1)}\n`);
      }
    } finally {
      await stack.close();
    }
  });
});

/**
 * The rich walks (test/golden/rich-walk.ts): alert signals, a fired SLA timer and its escalation,
 * hold and resume, approvals by two people, continue-as-new, every patch marker; one file a run.
 * Recorded with IRFLOW_RECORD_GOLDEN=rich (the plain walks above stay as they were recorded).
 */
const RICH_WALKS = Object.entries(WALKS).map(([id, walk]) => ({ id, walk }));

/** Walks each playbook the rich way on the time-skipping server; writes each run of its history into `folder`. */
async function recordRichWalks(walks: typeof RICH_WALKS, folder: string): Promise<void> {
  const stack = await startStack({ timeSkipping: true, connectorEnv: {} });
  try {
    const people = { analyst: await stack.token(['analyst'], 'alice'), approvers: [await stack.token(['approver'], 'bob'), await stack.token(['approver'], 'carol')] };
    for (const walk of walks) {
      const runs = await recordRichWalk(stack, walk, people);
      runs.forEach((history, index) => {
        const golden: Golden = { playbook: walk.id, workflowId: `INC-GOLDEN-RICH-${walk.id.toUpperCase()}`, history };
        writeFileSync(`${here}${folder}/${walk.id}.run${index + 1}.history.json`, `${JSON.stringify(golden, null, 1)}\n`);
      });
    }
  } finally {
    await stack.close();
  }
}

describe.runIf(process.env.IRFLOW_RECORD_GOLDEN === 'rich')('recording rich golden histories', () => {
  it('walks every shipped playbook the rich way and writes each run of its history', () => recordRichWalks(RICH_WALKS, 'rich'));
});

/** Case work (test/golden/casework-walk.ts): notes, tasks and a task gate, evidence, an IOC, a link, a merge. */
describe.runIf(process.env.IRFLOW_RECORD_GOLDEN === 'casework')('recording the case-work golden histories', () => {
  it('works two incidents and writes each history', async () => {
    const stack = await startStack();
    try {
      const histories = await recordCaseworkWalk(stack);
      histories.forEach(({ workflowId, history }, index) => {
        const golden: Golden = { playbook: 'casework-golden', workflowId, history };
        writeFileSync(`${here}casework/incident${index + 1}.history.json`, `${JSON.stringify(golden, null, 1)}\n`);
      });
    } finally {
      await stack.close();
    }
  });
});

/** Lookups tried locally first, one handed over to the activity (test/golden/lookups-walk.ts). */
describe.runIf(process.env.IRFLOW_RECORD_GOLDEN === 'lookups')('recording the lookups golden history', () => {
  it('walks an incident with a slow and a quick source and writes its history', async () => {
    const { workflowId, history } = await recordLookupsWalk();
    const golden: Golden = { playbook: 'default', workflowId, history };
    writeFileSync(`${here}lookups/incident.history.json`, `${JSON.stringify(golden, null, 1)}\n`);
  });
});

/**
 * The quantitative rich walk again with one kept SLA timer (patch keep-clock-timer): its ladder
 * fires, hold pauses the clock and resume re-arms it, work and alerts wake the run between.
 * Recorded with IRFLOW_RECORD_GOLDEN=alarm; the rich walks above keep the timer's older path.
 */
describe.runIf(process.env.IRFLOW_RECORD_GOLDEN === 'alarm')('recording the kept-timer golden histories', () => {
  it('walks quantitative the rich way and writes each run of its history', () =>
    recordRichWalks(
      RICH_WALKS.filter((w) => w.id === 'quantitative'),
      'alarm',
    ));
});

/**
 * Runs recorded under the baseline patch (workflows/incident.patched.ts): one marker for every
 * older patch, the opening steps recorded after the quick lookups. The lookups walk and the
 * quantitative rich walk again. Recorded with IRFLOW_RECORD_GOLDEN=baseline.
 */
describe.runIf(process.env.IRFLOW_RECORD_GOLDEN === 'baseline')('recording the baseline golden histories', () => {
  it('walks the lookups incident and quantitative the rich way and writes each history', async () => {
    const { workflowId, history } = await recordLookupsWalk();
    const golden: Golden = { playbook: 'default', workflowId, history };
    writeFileSync(`${here}baseline/lookups.history.json`, `${JSON.stringify(golden, null, 1)}\n`);
    await recordRichWalks(
      RICH_WALKS.filter((w) => w.id === 'quantitative'),
      'baseline',
    );
  });
});

describe.runIf(!process.env.IRFLOW_RECORD_GOLDEN)('golden histories replay against the workflow code of today', () => {
  const files = readdirSync(here).filter((f) => f.endsWith('.history.json'));
  const rich = readdirSync(`${here}rich`).filter((f) => f.endsWith('.history.json'));
  const casework = readdirSync(`${here}casework`).filter((f) => f.endsWith('.history.json'));
  const lookups = readdirSync(`${here}lookups`).filter((f) => f.endsWith('.history.json'));
  const alarm = readdirSync(`${here}alarm`).filter((f) => f.endsWith('.history.json'));
  const baseline = readdirSync(`${here}baseline`).filter((f) => f.endsWith('.history.json'));
  const replayer = createReplayer({ workflowBundle });
  afterAll(() => replayer.close());

  it('has one for every walk, and at least two runs of every rich walk', () => {
    expect(files.map((f) => f.replace('.history.json', '')).sort()).toEqual(Object.keys(WALKS).sort());
    for (const { id } of RICH_WALKS) expect(rich.filter((f) => f.startsWith(`${id}.run`)).length, `rich runs of ${id}`).toBeGreaterThan(1);
    expect(casework).toHaveLength(2);
    expect(lookups).toHaveLength(1);
    expect(alarm.length, 'runs of the kept-timer walk').toBeGreaterThan(1);
    expect(baseline.length, 'the lookups walk and runs of the rich walk under the baseline patch').toBeGreaterThan(2);
  });

  for (const file of [...files, ...rich.map((f) => `rich/${f}`), ...casework.map((f) => `casework/${f}`), ...lookups.map((f) => `lookups/${f}`), ...alarm.map((f) => `alarm/${f}`), ...baseline.map((f) => `baseline/${f}`)]) {
    it(`replays ${file} deterministically`, async () => {
      const golden = JSON.parse(readFileSync(`${here}${file}`, 'utf8')) as Golden;
      const verdict = await replayer(golden.history, golden.workflowId);
      expect(verdict, 'a workflow or machine change breaks incidents in flight: patch it (see README)').toEqual({ deterministic: true });
    });
  }

  it('fails for a workflow changed without a patch (a timer added before anything else)', async () => {
    await workflowBundle(); // the runtime is installed once, quietly, before any worker
    const broken = createReplayer({ workflowsPath: fileURLToPath(new URL('./broken-workflow/index.ts', import.meta.url)) });
    try {
      const golden = JSON.parse(readFileSync(`${here}rich/quantitative.run2.history.json`, 'utf8')) as Golden;
      const verdict = await broken(golden.history, golden.workflowId);
      expect(verdict.deterministic, 'the broken workflow must not replay the golden history').toBe(false);
      expect(verdict.error).toMatch(/[Nn]ondetermin/);
    } finally {
      await broken.close?.();
    }
  });
});
