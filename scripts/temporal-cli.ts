/**
 * Locates the Temporal CLI, building it when needed, in the order the design gives:
 * `TEMPORAL_CLI` (a path), `temporal` on PATH, the per-user cache (`~/.cache/irflow/bin`,
 * shared by every clone), `go install …@v1.5.1` into that cache, and last the SDK's download
 * (signalled by `undefined`). Run directly (`npm run temporal:install`) it prints the path.
 */
import { spawn } from 'node:child_process';
import { accessSync, constants, mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** The newest CLI release whose go.mod allows `go install pkg@version`. */
export const TEMPORAL_CLI_MODULE = 'github.com/temporalio/cli/cmd/temporal@v1.5.1';

export function cacheBinDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'irflow', 'bin');
}

export function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export function onPath(name: string, env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir && executable(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

export class TemporalCliError extends Error {
  override name = 'TemporalCliError';
}

/** `go install module` with GOBIN=binDir; `what` names it in the log line. */
export async function goInstall(module: string, what: string, binDir: string, log: (line: string) => void, env: NodeJS.ProcessEnv): Promise<void> {
  mkdirSync(binDir, { recursive: true });
  log(`building ${what}: go install ${module} (a few minutes, once per machine)`);
  await new Promise<void>((resolve, reject) => {
    const child = spawn('go', ['install', module], { env: { ...env, GOBIN: binDir }, stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`go install ${module} exited with ${code}`))));
  });
}

export interface LocateOptions {
  env?: NodeJS.ProcessEnv;
  /** Build with `go install` when no copy is found (default true). */
  build?: boolean;
  log?: (line: string) => void;
}

/** A tool built with `go install` into the per-user cache: where to look, in order, and how to build it. */
export interface GoTool {
  /** The variable naming its path (e.g. TEMPORAL_CLI). */
  envVar: string;
  /** Its binary's name, on PATH and in the cache. */
  binary: string;
  module: string;
  what: string;
}

/** `envVar` (a path), the binary on PATH, the per-user cache, else `go install` into it; undefined when none is found or built. */
export async function locateGoTool(tool: GoTool, options: LocateOptions = {}): Promise<string | undefined> {
  const env = options.env ?? process.env;
  const log = options.log ?? ((line: string) => console.error(line));
  const given = env[tool.envVar];
  if (given) {
    if (!executable(given)) throw new TemporalCliError(`${tool.envVar}=${given} is not an executable file`);
    return given;
  }
  const found = onPath(tool.binary, env);
  if (found) return found;
  const cached = join(cacheBinDir(env), tool.binary);
  if (executable(cached)) return cached;
  if (options.build !== false && onPath('go', env)) {
    await goInstall(tool.module, tool.what, cacheBinDir(env), log, env);
    if (executable(cached)) return cached;
  }
  return undefined;
}

/** The CLI's path, or `undefined` when only the SDK's own download is left. */
export async function locateTemporalCli(options: LocateOptions = {}): Promise<string | undefined> {
  const log = options.log ?? ((line: string) => console.error(line));
  const found = await locateGoTool({ envVar: 'TEMPORAL_CLI', binary: 'temporal', module: TEMPORAL_CLI_MODULE, what: 'the Temporal CLI' }, { ...options, log });
  if (found) return found;
  log('no Temporal CLI found and none could be built; falling back to the SDK download');
  return undefined;
}

/** Run as a script: prints the tool's path, or fails saying why. */
export function printLocated(locate: () => Promise<string | undefined>): void {
  locate()
    .then((path) => {
      if (!path) process.exitCode = 1;
      console.log(path ?? 'not found');
    })
    .catch((error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exitCode = 1;
    });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) printLocated(locateTemporalCli);
