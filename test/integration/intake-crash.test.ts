/**
 * An API process killed between storing alerts and delivering them: Wazuh and Splunk never
 * retry, so irflow delivers them itself - another API process's redelivery sweep takes up what
 * the dead one stored, and every alert reaches its incident exactly once. Needs a Postgres
 * server (DATABASE_URL): two processes share the database.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectRows } from '../../db/sql-rows.js';
import { freePort } from '../../runtime/ports.js';
import { serverUrl } from '../support/database.js';
import { eventually } from '../support/eventually.js';
import { wazuhAlert } from '../support/siem-payloads.js';
import { startStack, type Stack } from '../support/stack.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const ALERTS = 200;
let stack: Stack | undefined;
let api: ChildProcess | undefined;

async function startApiProcess(stack: Stack, token: string): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  // The stack's signing key, and no checkpoints: the process writes nothing into the working tree.
  const env = { ...stack.signingEnv, IRFLOW_CHECKPOINT_MINUTES: '0', TEMPORAL_ADDRESS: stack.temporal.address, DATABASE_URL: stack.database.url, IRFLOW_TASK_QUEUE: stack.taskQueue, IRFLOW_ADMIN_TOKEN: token, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'error' };
  const child = spawn(process.execPath, ['--import', 'tsx', 'runtime/api.main.ts'], { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'inherit'] });
  const url = `http://127.0.0.1:${port}`;
  await eventually(async () => (await fetch(`${url}/readyz`).catch(() => undefined))?.status, (status) => status === 200, 'the API process serves', 1200, 100);
  return { url, child };
}

const count = async (where: ReturnType<typeof sql>) => Number((await selectRows<{ n: number }>(stack!.database.db, sql`select count(*)::int as n from alerts where ${where}`))[0]?.n ?? NaN);

beforeAll(async () => {
  if (!serverUrl) return;
  stack = await startStack();
});
afterAll(async () => {
  if (api?.exitCode === null) api.kill('SIGKILL');
  await stack?.close();
});

describe('an API process killed between storing and delivering', () => {
  it.runIf(serverUrl)('leaves nothing undelivered: another process sweeps, each alert reaches its incident once (needs DATABASE_URL)', async () => {
    const token = stack!.adminToken;
    const started = await startApiProcess(stack!, token);
    api = started.child;
    // Each alert on its own agent: 200 new incidents, more than a second of signalWithStart on a busy machine.
    const ndjson = Array.from({ length: ALERTS }, (_, i) => JSON.stringify(wazuhAlert({ id: `crash-${i}`, agent: { id: String(100 + i), name: `crash-host-${i}` } }))).join('\n');
    const posted = fetch(`${started.url}/v1/alerts/wazuh`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-ndjson' }, body: ndjson }).catch((error: unknown) => error);
    await eventually(() => count(sql`source = 'wazuh'`), (n) => n === ALERTS, 'the batch is stored', 3000, 10);
    api.kill('SIGKILL');
    expect(await posted).toBeInstanceOf(Error); // the sender saw the connection drop, and never retries
    const undeliveredAtCrash = await count(sql`delivered_at is null`);
    console.log(`killed the API process with ${undeliveredAtCrash} of ${ALERTS} stored alerts undelivered`);
    expect(undeliveredAtCrash).toBeGreaterThan(0);

    await eventually(() => count(sql`delivered_at is null`), (n) => n === 0, 'every alert delivered by the sweep', 1800, 100);
    const received = await eventually(
      () => selectRows<{ alert_id: string; n: number }>(stack!.database.db, sql`select data->>'alertId' as alert_id, count(*)::int as n from incident_events where type = 'alert_received' group by 1`),
      (rows) => rows.length === ALERTS,
      'every incident records its alert',
      1800,
      100,
    );
    expect(received.filter((r) => Number(r.n) !== 1)).toEqual([]);
  });
});
