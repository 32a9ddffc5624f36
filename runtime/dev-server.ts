/**
 * Runs `temporal server start-dev` for the embedded mode and the tests: state in a SQLite file
 * (WAL), the search attributes registered, the UI on or off. Stops with SIGTERM, then SIGKILL.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Connection } from '@temporalio/client';
import { SEARCH_ATTRIBUTES } from '../workflows/incident.messages.js';

export interface DevServerOptions {
  cliPath: string;
  port: number;
  /** Web UI port; `false` runs headless. */
  uiPort: number | false;
  /** SQLite file that keeps the server's state across restarts; in memory when absent. */
  dbFile?: string;
  namespace?: string;
  /** Faster, less durable SQLite for tests (`synchronous=OFF`). */
  fastUnsafe?: boolean;
  dynamicConfig?: Record<string, string | number | boolean>;
  /** Where the server's own log lines go (default: discarded). */
  log?: (line: string) => void;
  readyTimeoutMs?: number;
}

export interface DevServer {
  address: string;
  options: DevServerOptions;
  uiUrl?: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

export class DevServerError extends Error {
  override name = 'DevServerError';
}

/**
 * The dev server's settings. New workflow tasks go to one partition of a task queue (Temporal's
 * default is four): with one worker's few pollers, a task written to a partition no poller was
 * on waited there until one came by - after a 2,000-alert burst on Postgres, the last incidents
 * were opened 1.7-2 s late while the machine sat idle, in 4 of 33 runs past 5 s. With one write
 * partition, 8 of 8 runs were 2.2-3.3 s (BENCHMARKS.md). Reads keep the default four partitions,
 * so tasks a server started before this left in the others are still dispatched (Temporal's
 * order for fewer partitions: writes first, reads once those have drained).
 */
export const DEV_SERVER_DYNAMIC_CONFIG = {
  'frontend.enableUpdateWorkflowExecution': true,
  'matching.numTaskqueueWritePartitions': 1,
} as const;

export function devServerArgs(options: DevServerOptions): string[] {
  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(options.port), '--log-format', 'pretty', '--log-level', 'error'];
  if (options.namespace && options.namespace !== 'default') args.push('--namespace', options.namespace);
  if (options.dbFile) {
    args.push('--db-filename', options.dbFile, '--sqlite-pragma', 'journal_mode=WAL');
    if (options.fastUnsafe) args.push('--sqlite-pragma', 'synchronous=OFF');
  }
  if (options.uiPort === false) args.push('--headless');
  else args.push('--ui-port', String(options.uiPort));
  for (const key of Object.values(SEARCH_ATTRIBUTES)) args.push('--search-attribute', `${key.name}=Keyword`);
  const dynamic = { ...DEV_SERVER_DYNAMIC_CONFIG, ...options.dynamicConfig };
  for (const [key, value] of Object.entries(dynamic)) args.push('--dynamic-config-value', `${key}=${JSON.stringify(value)}`);
  return args;
}

/** What a server wrote: its first error line (why it stopped, e.g. a port in use; a Go stack trace follows it) and its last lines. */
interface ServerOutput {
  firstError?: string;
  last: string[];
}

export class DevServerExitedError extends DevServerError {
  constructor(code: number, output: ServerOutput) {
    const why = output.firstError ?? output.last.slice(-5).join(' | ');
    super(`temporal dev server exited with code ${code} before serving${why ? `: ${why}` : ''}`);
  }
}

async function waitUntilServing(address: string, child: ChildProcess, timeoutMs: number, output: ServerOutput): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new DevServerExitedError(child.exitCode, output);
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1000 });
      try {
        await connection.workflowService.getSystemInfo({});
        return;
      } finally {
        await connection.close();
      }
    } catch (error) {
      lastError = error;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  throw new DevServerError(`temporal dev server at ${address} not serving after ${timeoutMs} ms: ${String(lastError)}`);
}

export async function startDevServer(options: DevServerOptions): Promise<DevServer> {
  if (options.dbFile) mkdirSync(dirname(options.dbFile), { recursive: true });
  // Its own process group: a Ctrl-C meant for irflow must not stop Temporal before the worker drains.
  const child = spawn(options.cliPath, devServerArgs(options), { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const log = options.log;
  // What the server wrote: why it stopped, when it stops before serving.
  const output: ServerOutput = { last: [] };
  for (const stream of [child.stdout, child.stderr]) {
    stream?.setEncoding('utf8');
    stream?.on('data', (chunk: string) => {
      for (const line of chunk.split('\n')) {
        if (!line.trim()) continue;
        log?.(line);
        if (!output.firstError && /level=ERROR|error=/.test(line)) output.firstError = line.slice(0, 500);
        output.last.push(line.slice(0, 500));
        if (output.last.length > 20) output.last.shift();
      }
    });
  }
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // Never leave a server behind when this process exits without stopping it.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  child.once('exit', () => process.removeListener('exit', killOnExit));
  const address = `127.0.0.1:${options.port}`;
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };
  try {
    await waitUntilServing(address, child, options.readyTimeoutMs ?? 60_000, output);
  } catch (error) {
    await stop();
    throw error;
  }
  return { address, options, uiUrl: options.uiPort === false ? undefined : `http://127.0.0.1:${options.uiPort}`, process: child, stop };
}
