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

describe.runIf(!recording)('golden histories replay against the workflow code of today', () => {
  const files = readdirSync(here).filter((f) => f.endsWith('.history.json'));
  const replayer = createReplayer({ workflowBundle });
  afterAll(() => replayer.close());

  it('has one for every walk', () => {
    expect(files.map((f) => f.replace('.history.json', '')).sort()).toEqual(Object.keys(WALKS).sort());
  });

  for (const file of files) {
    it(`replays ${file} deterministically`, async () => {
      const golden = JSON.parse(readFileSync(`${here}${file}`, 'utf8')) as Golden;
      const verdict = await replayer(golden.history, golden.workflowId);
      expect(verdict, 'a workflow or machine change breaks incidents in flight: patch it (see README)').toEqual({ deterministic: true });
    });
  }
});
