/** A real Temporal dev server per test file, from the CLI the project locates or builds. */
import { locateTemporalCli } from '../../scripts/temporal-cli.js';
import { DevServerExitedError, startDevServer, type DevServer, type DevServerOptions } from '../../runtime/dev-server.js';
import { freePort } from '../../runtime/ports.js';

let cliPath: Promise<string> | undefined;

export function temporalCli(): Promise<string> {
  cliPath ??= locateTemporalCli({ log: (line) => console.error(line) }).then((path) => {
    if (!path) throw new Error('integration tests need the Temporal CLI: run npm run temporal:install (needs Go) or set TEMPORAL_CLI');
    return path;
  });
  return cliPath;
}

/**
 * A dev server on a free port. The server picks further ports of its own (HTTP, metrics, its
 * internal services) when it starts; another test file starting a server at the same moment can
 * take one first, and the server exits. On a port the caller did not choose, such a start is tried
 * again, up to three times.
 */
export async function startTestTemporal(options: Partial<Omit<DevServerOptions, 'cliPath'>> = {}): Promise<DevServer> {
  const cliPath = await temporalCli();
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await startDevServer({
        cliPath,
        port: options.port ?? (await freePort()),
        uiPort: false,
        fastUnsafe: true,
        log: process.env.TEMPORAL_LOG ? (line) => console.error(`[temporal] ${line}`) : undefined,
        ...options,
      });
    } catch (error) {
      if (!(error instanceof DevServerExitedError) || options.port !== undefined || attempt >= 3) throw error;
      console.error(`temporal dev server did not start (attempt ${attempt}), trying another port: ${error.message}`);
    }
  }
}
