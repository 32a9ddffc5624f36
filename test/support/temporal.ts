/** A real Temporal dev server per test file, from the CLI the project locates or builds. */
import { locateTemporalCli } from '../../scripts/temporal-cli.js';
import { startDevServer, type DevServer, type DevServerOptions } from '../../runtime/dev-server.js';
import { freePort } from '../../runtime/ports.js';

let cliPath: Promise<string> | undefined;

export function temporalCli(): Promise<string> {
  cliPath ??= locateTemporalCli({ log: (line) => console.error(line) }).then((path) => {
    if (!path) throw new Error('integration tests need the Temporal CLI: run npm run temporal:install (needs Go) or set TEMPORAL_CLI');
    return path;
  });
  return cliPath;
}

export async function startTestTemporal(options: Partial<Omit<DevServerOptions, 'cliPath'>> = {}): Promise<DevServer> {
  return startDevServer({
    cliPath: await temporalCli(),
    port: options.port ?? (await freePort()),
    uiPort: false,
    fastUnsafe: true,
    log: process.env.TEMPORAL_LOG ? (line) => console.error(`[temporal] ${line}`) : undefined,
    ...options,
  });
}
