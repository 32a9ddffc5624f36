/**
 * SLA clocks survive anything: a worker stopped between two ladder steps and a Temporal dev
 * server killed and restarted on its data file with clocks running. No step lost, none doubled.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SLA_DRILL, sleep } from '../support/sla.js';
import { serverUrl } from '../support/database.js';
import { startStack, type Stack } from '../support/stack.js';
import { killWorker, startWorkerProcess } from '../support/worker-process.js';

let stack: Stack;
let dir: string;
let analyst: string;

type Event = { seq: number; type: string; data: Record<string, any> };
const history = async (id: string) => (await stack.call('GET', `/v1/incidents/${id}/history`, analyst)).body.events as Event[];
async function until(id: string, done: (steps: string[]) => boolean): Promise<string[]> {
  for (let i = 0; i < 120; i += 1) {
    const steps = ladder(await history(id));
    if (done(steps)) return steps;
    await sleep(250);
  }
  return ladder(await history(id));
}
const ladder = (events: Event[]) => events.filter((e) => e.type === 'sla_escalated' || e.type === 'sla_breached').map((e) => (e.type === 'sla_breached' ? 'breach' : `L${e.data.level}`));

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'irflow-sla-'));
  stack = await startStack({ temporal: { dbFile: join(dir, 'temporal.sqlite') } });
  analyst = await stack.token(['analyst'], 'alice');
  expect((await stack.call('POST', '/v1/playbooks', await stack.token(['engineer']), SLA_DRILL)).status).toBe(201);
});
afterAll(async () => {
  await stack?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function drill(severity: string): Promise<string> {
  const created = await stack.call('POST', '/v1/incidents', analyst, { title: 'durable drill', severity, playbook: 'sla-drill' });
  expect(created.status).toBe(201);
  return created.body.id;
}

describe('SLA clocks across failures', () => {
  it.runIf(serverUrl)('fires every ladder step once when the worker is killed between two of them (needs DATABASE_URL)', async () => {
    await stack.stopWorker();
    let worker = startWorkerProcess(stack);
    try {
      const id = await drill('medium'); // 6 s: L1 at 3 s, L2 and breach at 6 s
      await sleep(3_400);
      expect(ladder(await history(id))).toEqual(['L1']);
      await killWorker(worker);
      await sleep(3_500); // L2 and the breach fall due while no worker runs
      worker = startWorkerProcess(stack);
      // The killed worker's sticky queue times out before the new one takes the workflow over.
      const steps = await until(id, (s) => s.length >= 3);
      expect(steps.slice(0, 3)).toEqual(['L1', 'L2', 'breach']);
      expect(steps.filter((s) => s === 'L2')).toHaveLength(1);
      expect(steps.filter((s) => s === 'breach')).toHaveLength(1);
    } finally {
      await killWorker(worker);
      await stack.startWorker();
    }
  });
  it('keeps clocks running through a dev server killed and restarted on its data file', async () => {
    const id = await drill('low'); // 8 s: L1 at 4 s, L2 and breach at 8 s
    await sleep(1_000);
    await stack.stopWorker();
    stack.temporal.process.kill('SIGKILL');
    await new Promise((resolve) => stack.temporal.process.once('exit', resolve));
    await stack.restartTemporal();
    await stack.startWorker();
    await sleep(8_000);
    const events = await history(id);
    expect(ladder(events).slice(0, 3)).toEqual(['L1', 'L2', 'breach']);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    const verify = await stack.call('GET', `/v1/incidents/${id}/history/verify`, await stack.token(['auditor']));
    expect(verify.body.valid).toBe(true);
  });
});
