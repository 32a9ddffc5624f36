/** The worker as its own process (`npm run worker`'s entry), to be killed with SIGKILL. Needs a Postgres server. */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Stack } from './stack.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

export function startWorkerProcess(stack: Stack, env: NodeJS.ProcessEnv = {}): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'runtime/worker.main.ts'], {
    cwd: root,
    env: { ...process.env, ...stack.signingEnv, ...env, TEMPORAL_ADDRESS: stack.temporal.address, DATABASE_URL: stack.database.url, IRFLOW_TASK_QUEUE: stack.taskQueue },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => process.env.WORKER_LOG && process.stderr.write(chunk));
  return child;
}

export async function killWorker(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}
