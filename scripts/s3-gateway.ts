/**
 * An S3-compatible server for the tests of the S3 evidence store: the Versity S3 Gateway
 * (Apache 2.0) over a folder (its posix backend). Located as the Temporal CLI is:
 * `IRFLOW_S3_GATEWAY` (a path), `versitygw` on PATH, the per-user cache (`~/.cache/irflow/bin`),
 * else `go install …@v1.8.0` into that cache. Run directly (`npm run s3:install`) it prints the path.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { cacheBinDir, executable, goInstall, onPath } from './temporal-cli.js';

export const S3_GATEWAY_MODULE = 'github.com/versity/versitygw/cmd/versitygw@v1.8.0';

/** The gateway's path, or undefined when none is found and none could be built. */
export async function locateS3Gateway(options: { env?: NodeJS.ProcessEnv; build?: boolean; log?: (line: string) => void } = {}): Promise<string | undefined> {
  const env = options.env ?? process.env;
  const log = options.log ?? ((line: string) => console.error(line));
  if (env.IRFLOW_S3_GATEWAY) {
    if (!executable(env.IRFLOW_S3_GATEWAY)) throw new Error(`IRFLOW_S3_GATEWAY=${env.IRFLOW_S3_GATEWAY} is not an executable file`);
    return env.IRFLOW_S3_GATEWAY;
  }
  const found = onPath('versitygw', env);
  if (found) return found;
  const cached = join(cacheBinDir(env), 'versitygw');
  if (executable(cached)) return cached;
  if (options.build !== false && onPath('go', env)) {
    await goInstall(S3_GATEWAY_MODULE, 'the Versity S3 Gateway', cacheBinDir(env), log, env);
    if (executable(cached)) return cached;
  }
  return undefined;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  locateS3Gateway()
    .then((path) => {
      if (!path) process.exitCode = 1;
      console.log(path ?? 'not found');
    })
    .catch((error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exitCode = 1;
    });
}
