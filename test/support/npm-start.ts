/**
 * `npm start` as a user runs it, as a child process of the test (its own process group), ready
 * once it prints "irflow is ready"; `killStarted` ends every one a test file started.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../runtime/ports.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const running: ChildProcess[] = [];

export interface Started {
  child: ChildProcess;
  output: () => string;
  readyMs: number;
}

/**
 * `npm start`, once more on other free ports when one of the ports picked for it was taken before
 * it bound them (other test files start servers meanwhile): the ports are the test's choice, not
 * what is tested. Any other failure fails the test.
 */
export async function npmStart(env: Record<string, string>): Promise<Started & { attempts: number }> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return { ...(await npmStartOnce(env)), attempts: attempt };
    } catch (error) {
      if (attempt >= 3 || !String(error).includes('address already in use')) throw error;
      for (const key of ['PORT', 'TEMPORAL_DEV_PORT', 'TEMPORAL_UI_PORT']) env[key] = String(await freePort());
    }
  }
}

async function npmStartOnce(env: Record<string, string>): Promise<Started> {
  const began = Date.now();
  const { DATABASE_URL: _ignored, ...inherited } = process.env;
  const child = spawn('npm', ['start'], { cwd: root, env: { ...inherited, ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  running.push(child);
  let output = '';
  for (const stream of [child.stdout!, child.stderr!]) stream.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  await new Promise<void>((resolve, reject) => {
    const timer = setInterval(() => {
      if (output.includes('irflow is ready')) resolve();
      else if (child.exitCode !== null) reject(new Error(`npm start exited ${child.exitCode}:\n${output}`));
      else if (Date.now() - began > 120_000) reject(new Error(`npm start not ready after 120 s:\n${output}`));
      else return;
      clearInterval(timer);
    }, 100);
  });
  return { child, output: () => output, readyMs: Date.now() - began };
}

/** Kills what is still running of every `npm start` of this test file. */
export function killStarted(): void {
  for (const child of running) {
    if (child.exitCode !== null) continue;
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // gone already
    }
  }
}
