/**
 * Replay: the workflow history of a full walk replays deterministically against today's code;
 * a deliberately non-deterministic copy of the workflow is caught; the lifecycle machine re-run
 * over the audit log finds every recorded transition allowed and its gate met.
 */
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { latestPlaybook } from '../../db/playbooks.repo.js';
import { createReplayer } from '../../runtime/replayer.js';
import { INCIDENT_WORKFLOW_TYPE, recordedViewUpdate, type IncidentWorkflow } from '../../workflows/incident.messages.js';
import { FULL_WALK, alertBody, postAlert, walkTo } from '../support/incidents.js';
import { startStack, type Stack } from '../support/stack.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const copy = `${root}workflows-nondeterministic`;
/** The golden history of the default playbook (test/golden), with its workflow id. */
const defaultGolden = () => JSON.parse(readFileSync(fileURLToPath(new URL('../golden/default.history.json', import.meta.url)), 'utf8')) as { history: unknown; workflowId: string };
let stack: Stack;
/** Today's workflow code, one replay worker for the file. */
const today = createReplayer();
let analyst: string;
let auditor: string;

beforeAll(async () => {
  stack = await startStack();
  analyst = await stack.token(['analyst'], 'alice');
  auditor = await stack.token(['auditor'], 'audrey');
});
afterAll(async () => {
  await today.close();
  await stack?.close();
  rmSync(copy, { recursive: true, force: true });
});

describe('replay', () => {
  it('replays a full walk: deterministic, and every transition allowed with its gate met', async () => {
    const { incidentId } = await postAlert(stack, await stack.token(['ingest']), alertBody());
    await walkTo(stack, analyst, incidentId, FULL_WALK);
    const replay = await stack.call('POST', `/v1/incidents/${incidentId}/replay`, auditor);
    expect(replay.status, JSON.stringify(replay.body)).toBe(200);
    expect(replay.body).toMatchObject({ deterministic: true, machineConsistent: true, mismatches: [], finalStage: 'closed', playbook: { id: 'default', version: 1 } });
    expect(replay.body.steps.map((s: { event: string; gate: string; actor: string }) => [s.event, s.gate, s.actor])).toEqual(FULL_WALK.map((e) => [e, 'met', 'alice']));
    expect((await stack.call('POST', `/v1/incidents/${incidentId}/replay`, analyst)).status).toBe(403);
  });

  it('keeps runs short: continues as new at the run history limit, each run replaying deterministically', async () => {
    const incidentId = `INC-SHORT-RUNS-${Date.now()}`;
    const playbook = (await latestPlaybook(stack.database.db, 'default'))!;
    const handle = await stack.client.workflow.start<IncidentWorkflow>(INCIDENT_WORKFLOW_TYPE, {
      workflowId: incidentId,
      taskQueue: stack.taskQueue,
      args: [{ incidentId, playbook, opening: { title: 'short runs', severity: 'low', openedBy: 'alice' }, runHistoryLimit: 60 }],
    });
    await handle.executeUpdate(recordedViewUpdate);
    const firstRun = (await handle.describe()).runId;
    await walkTo(stack, analyst, incidentId, ['acknowledge', 'start_analysis']);
    for (let i = 0; i < 6; i += 1) await walkTo(stack, analyst, incidentId, ['hold', 'resume']);
    const described = await handle.describe();
    expect(described.runId, 'the workflow continued as new').not.toBe(firstRun);
    expect(described.historyLength).toBeLessThan(60 + 40);
    const replay = await stack.call('POST', `/v1/incidents/${incidentId}/replay`, auditor);
    expect(replay.body).toMatchObject({ deterministic: true, machineConsistent: true, finalStage: 'analysis' });
    expect((await stack.call('GET', `/v1/incidents/${incidentId}`, analyst)).body.stage).toBe('analysis');
    // The first run, which reached the limit and continued as new (its patch marker included), replays too.
    const first = await stack.client.workflow.getHandle(incidentId, firstRun).fetchHistory();
    expect(first.events!.some((e) => e.markerRecordedEventAttributes?.markerName === 'core_patch')).toBe(true);
    expect(await today(JSON.parse(historyToJSON(first)), incidentId)).toEqual({ deterministic: true });
  });

  it('catches a workflow code change that would break the incidents in flight', async () => {
    const { incidentId } = await postAlert(stack, await stack.token(['ingest']), alertBody());
    await walkTo(stack, analyst, incidentId, ['acknowledge', 'start_analysis']);
    const history = (await stack.call('GET', `/v1/incidents/${incidentId}/export`, auditor)).body.temporalHistory;

    cpSync(`${root}workflows`, copy, { recursive: true });
    const file = `${copy}/incident.workflow.ts`;
    const source = readFileSync(file, 'utf8');
    const changed = source
      .replace('  condition,\n', '  condition,\n  sleep,\n')
      .replace(/^( {2}wireHandlers\(incident[^)]*\);)$/m, "$1\n  await sleep('1 ms'); // the change under test");
    expect(changed, 'the change under test was made').toContain("await sleep('1 ms')");
    expect(changed).not.toBe(source);
    writeFileSync(file, changed);

    expect(await today(history, incidentId)).toEqual({ deterministic: true });
    const changedCode = createReplayer({ workflowsPath: `${copy}/index.ts` });
    const broken = await changedCode(history, incidentId);
    await changedCode.close();
    expect(broken.deterministic).toBe(false);
    expect(broken.error).toMatch(/Determinism|nondetermin/i);
  });

  it('replays on its own threads, one replay worker for many replays, and recovers from a history it cannot read', async () => {
    const { incidentId } = await postAlert(stack, await stack.token(['ingest']), alertBody());
    await walkTo(stack, analyst, incidentId, ['acknowledge', 'start_analysis']);
    const history = (await stack.call('GET', `/v1/incidents/${incidentId}/export`, auditor)).body.temporalHistory;
    // The SDK's replay worker, run in this thread, would replace its stack-trace hook (and add a promise hook) for good.
    const prepareStackTrace = Error.prepareStackTrace;
    const replayer = createReplayer();
    try {
      expect(await replayer(history, incidentId)).toEqual({ deterministic: true });
      expect(Error.prepareStackTrace, 'the replay ran in this thread').toBe(prepareStackTrace);
      expect(replayer.stackTraceHooks(), "the SDK's stack-trace hooks, which no one queries in a replay, are skipped").toBe('skipped');
      expect(await replayer(history, incidentId)).toEqual({ deterministic: true });
      const unreadable = await replayer({ events: [{ eventType: 'not-an-event' }] }, incidentId);
      expect(unreadable.deterministic).toBe(false);
      const truncated = { events: (history as { events: unknown[] }).events.slice(1) };
      expect((await replayer(truncated, incidentId)).deterministic).toBe(false);
      // A run just continued as new, before its first task: nothing ran, so nothing to replay (core's replay worker would never end).
      const unstarted = { events: (history as { events: unknown[] }).events.slice(0, 1) };
      expect(await replayer(unstarted, incidentId)).toEqual({ deterministic: true, note: expect.stringContaining('nothing to replay') });
      const [again, beside] = await Promise.all([replayer(history, incidentId), replayer(history, incidentId)]);
      expect([again, beside]).toEqual([{ deterministic: true }, { deterministic: true }]);
    } finally {
      await replayer.close();
    }
  });

  it('ends a replay that outlives its deadline with its thread, and answers why', async () => {
    const { incidentId } = await postAlert(stack, await stack.token(['ingest']), alertBody());
    const history = (await stack.call('GET', `/v1/incidents/${incidentId}/export`, auditor)).body.temporalHistory;
    // No replay thread starts, let alone replays, within a millisecond.
    const hurried = createReplayer({ deadlineMs: 1 });
    try {
      expect(await hurried(history, incidentId)).toEqual({ deterministic: false, error: 'the replay did not end within 0.001 s' });
    } finally {
      await hurried.close();
    }
  });

  it('ends a replay whose workflow code never yields with its thread, at its deadline', async () => {
    const { incidentId } = await postAlert(stack, await stack.token(['ingest']), alertBody());
    await walkTo(stack, analyst, incidentId, ['acknowledge']);
    const history = (await stack.call('GET', `/v1/incidents/${incidentId}/export`, auditor)).body.temporalHistory;
    const spinning = createReplayer({ workflowsPath: fileURLToPath(new URL('../support/spinning-workflow/index.ts', import.meta.url)), deadlineMs: 20_000 });
    try {
      expect(await spinning(history, incidentId)).toEqual({ deterministic: false, error: 'the replay did not end within 20 s' });
    } finally {
      await spinning.close();
    }
  });

  it('ends its replay thread once idle, and starts another for the next replay', async () => {
    const golden = defaultGolden();
    const brief = createReplayer({ idleMs: 200 });
    try {
      expect(brief.threadRunning(), 'no thread before the first replay').toBe(false);
      expect(await brief(golden.history, golden.workflowId)).toEqual({ deterministic: true });
      expect(brief.threadRunning(), 'kept for the next replay').toBe(true);
      await vi.waitFor(() => expect(brief.threadRunning()).toBe(false), { timeout: 30_000, interval: 100 });
      expect(await brief(golden.history, golden.workflowId)).toEqual({ deterministic: true });
      expect(brief.threadRunning()).toBe(true);
    } finally {
      await brief.close();
    }
    expect(brief.threadRunning(), 'closed').toBe(false);
  });

  it('rejects every replay with the reason while its thread cannot start (workflows that do not bundle)', async () => {
    const history = defaultGolden();
    const nowhere = createReplayer({ workflowsPath: fileURLToPath(new URL('../support/no-such-workflows/index.ts', import.meta.url)) });
    try {
      await expect(nowhere(history.history, history.workflowId)).rejects.toThrow(/no-such-workflows/);
      await expect(nowhere(history.history, history.workflowId)).rejects.toThrow(/no-such-workflows/);
      expect(nowhere.stackTraceHooks(), 'no thread got as far as its replay worker').toBeUndefined();
    } finally {
      await nowhere.close();
    }
  });
});
