/**
 * The last resort of the CLI search: the dev server the Temporal SDK downloads itself (needs the
 * internet; on machines without it, install Go or the CLI instead). Same data file, WAL mode,
 * UI and search attributes as the CLI path.
 */
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { SEARCH_ATTRIBUTES } from '../workflows/incident.messages.js';
import { DEV_SERVER_DYNAMIC_CONFIG, DevServerError, type DevServerOptions } from './dev-server.js';

export interface DownloadedDevServer {
  address: string;
  uiUrl?: string;
  stop(): Promise<void>;
}

export async function startDownloadedDevServer(options: Omit<DevServerOptions, 'cliPath'>): Promise<DownloadedDevServer> {
  try {
    const env = await TestWorkflowEnvironment.createLocal({
      server: {
        executable: { type: 'cached-download' },
        ip: '127.0.0.1',
        port: options.port,
        ...(options.uiPort === false ? { ui: false } : { ui: true, uiPort: options.uiPort }),
        ...(options.dbFile ? { dbFilename: options.dbFile } : {}),
        searchAttributes: Object.values(SEARCH_ATTRIBUTES),
        extraArgs: [
          ...(options.dbFile ? ['--sqlite-pragma', 'journal_mode=WAL'] : []),
          ...Object.entries(DEV_SERVER_DYNAMIC_CONFIG).flatMap(([key, value]) => ['--dynamic-config-value', `${key}=${JSON.stringify(value)}`]),
        ],
      },
    });
    return {
      address: `127.0.0.1:${options.port}`,
      uiUrl: options.uiPort === false ? undefined : `http://127.0.0.1:${options.uiPort}`,
      stop: () => env.teardown(),
    };
  } catch (error) {
    throw new DevServerError(
      `no Temporal CLI was found and the SDK could not download one (${error instanceof Error ? error.message : String(error)}); ` +
        'set TEMPORAL_CLI, put temporal on PATH, or install Go ≥ 1.25 so irflow can build it',
    );
  }
}
