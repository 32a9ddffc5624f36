/**
 * Temporal's time-skipping test server (Java, from Maven Central), for tests of durable timers
 * that must not race the wall clock. Fetched once per machine with Maven into the per-user cache
 * (`~/.cache/irflow/temporal-test-server-<version>`), beside a launcher script the tests run as
 * `<launcher> <port>` (test/support/time-skipping.ts). Run directly (`npm run temporal:test-server`) it prints the launcher's path.
 */
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { cacheBinDir } from './temporal-cli.js';

export const TEST_SERVER_VERSION = '1.38.0';

export class TimeSkippingServerError extends Error {
  override name = 'TimeSkippingServerError';
}

function cacheDir(env: NodeJS.ProcessEnv): string {
  return join(cacheBinDir(env), '..', `temporal-test-server-${TEST_SERVER_VERSION}`);
}

const POM = `<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>dev.irflow</groupId><artifactId>temporal-test-server-classpath</artifactId><version>1</version>
  <dependencies>
    <dependency><groupId>io.temporal</groupId><artifactId>temporal-test-server</artifactId><version>${TEST_SERVER_VERSION}</version></dependency>
    <dependency><groupId>org.slf4j</groupId><artifactId>slf4j-nop</artifactId><version>1.7.36</version></dependency>
  </dependencies>
</project>
`;

/**
 * The launcher: time skipping on, a small JVM that starts fast. The server starts with time
 * running (skipping unlocked); tests lock it first and then skip explicitly (`env.sleep`).
 */
const LAUNCHER = (lib: string) => `#!/bin/sh
exec java -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xshare:auto -cp "${lib}/*" io.temporal.testserver.TestServer "$@" --enable-time-skipping
`;

async function fetchClasspath(dir: string, log: (line: string) => void): Promise<void> {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'pom.xml'), POM);
  log(`fetching io.temporal:temporal-test-server:${TEST_SERVER_VERSION} with Maven (once per machine)`);
  await new Promise<void>((resolve, reject) => {
    const child = spawn('mvn', ['-q', '-B', 'dependency:copy-dependencies', '-DoutputDirectory=lib'], { cwd: dir, stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('error', (error) => reject(new TimeSkippingServerError(`mvn could not run: ${error.message}`)));
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new TimeSkippingServerError(`mvn exited with ${code}`))));
  });
}

/** The launcher's path, fetching the server first when this machine has none. */
export async function locateTimeSkippingServer(options: { env?: NodeJS.ProcessEnv; log?: (line: string) => void } = {}): Promise<string> {
  const env = options.env ?? process.env;
  const dir = cacheDir(env);
  const lib = join(dir, 'lib');
  const launcher = join(dir, 'run-test-server.sh');
  const complete = existsSync(lib) && readdirSync(lib).some((f) => f.startsWith('temporal-test-server-'));
  if (!complete) await fetchClasspath(dir, options.log ?? ((line) => console.error(line)));
  if (!existsSync(launcher)) {
    writeFileSync(launcher, LAUNCHER(lib));
    chmodSync(launcher, 0o755);
  }
  return launcher;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  locateTimeSkippingServer()
    .then((path) => console.log(path))
    .catch((error: unknown) => {
      console.error(error instanceof Error ? error.message : String(error));
      process.exitCode = 1;
    });
}
