/**
 * Runs the whole service in one process: Temporal (an existing cluster, or a dev server with its
 * state under the data folder), the database (Postgres, or embedded PGlite), migrations, the
 * shipped playbooks, the worker and the API. `stop()` closes it all in reverse order.
 */
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { buildApp } from '../api/app.js';
import { createPlaybookCatalog } from '../api/playbook-catalog.js';
import { seedAdminToken, type BootstrapOutcome } from '../db/api-keys.repo.js';
import { openDatabase } from '../db/client.js';
import { locateTemporalCli } from '../scripts/temporal-cli.js';
import { resolveAdminToken } from './admin-token.js';
import { apiSettings, type Config } from './config.js';
import { startDevServer, type DevServer } from './dev-server.js';
import { startDownloadedDevServer } from './sdk-dev-server.js';
import { createReplayer } from './replayer.js';
import { ensureSearchAttributes } from './search-attributes.js';
import { prepareKeyRing } from './signing-keys.js';
import { recordSettings } from './settings-record.js';
import { checkpointMaker, checkpointSettings } from './checkpoint-sink.js';
import { loadShippedPlaybooks } from './shipped-playbooks.js';
import { createIncidentWorker } from './worker.js';
import { backfillMeasures } from '../db/measures.rows.js';
import { Registry } from 'prom-client';

export interface RunningService {
  apiUrl: string;
  temporalAddress: string;
  temporalUiUrl?: string;
  adminToken: { token: string; source: 'env' | 'file' | 'new'; bootstrap: BootstrapOutcome };
  database: 'postgres' | 'pglite';
  /** Settles when the worker stops on its own (a fatal error) or after `stop()`. */
  workerDone: Promise<void>;
  stop(): Promise<void>;
}

export async function startService(config: Config, log: (line: string) => void): Promise<RunningService> {
  const closers: Array<() => Promise<unknown>> = [];
  const stop = async () => {
    for (const close of closers.reverse()) await close().catch((error: unknown) => log(`while stopping: ${String(error)}`));
    closers.length = 0;
  };
  try {
    let devServer: Pick<DevServer, 'address' | 'uiUrl' | 'stop'> | undefined;
    let temporalAddress = config.temporalAddress;
    if (!temporalAddress) {
      const cliPath = await locateTemporalCli({ log });
      const options = {
        port: config.temporalDevPort,
        uiPort: config.temporalUiPort,
        dbFile: join(config.dataDir, 'temporal.sqlite'),
        log: (line: string) => log(`[temporal] ${line}`),
      };
      devServer = cliPath ? await startDevServer({ cliPath, ...options }) : await startDownloadedDevServer(options);
      const started = devServer;
      closers.push(() => started.stop());
      temporalAddress = devServer.address;
    }

    const database = await openDatabase({ url: config.databaseUrl, dataDir: join(config.dataDir, 'pglite'), log: (line) => log(`[pglite] ${line}`) });
    closers.push(() => database.close());
    await database.migrate();
    const resolved = resolveAdminToken(config.dataDir, config.adminToken);
    const adminToken = { ...resolved, bootstrap: await seedAdminToken(database.db, resolved.token) };
    const playbooks = await loadShippedPlaybooks(database.db);
    log(`playbooks: ${playbooks.map((p) => `${p.id}@${p.version}`).join(', ')}`);
    const keyRing = await prepareKeyRing(config.dataDir, database.db, log);
    if (await recordSettings(database.db, config, keyRing)) log('settings in force recorded in the system chain');
    const checkpoints = checkpointMaker(database.db, keyRing.signer, checkpointSettings(config.dataDir), log);
    const stopCheckpoints = checkpoints.start();
    closers.push(async () => stopCheckpoints());
    const backfilled = await backfillMeasures(database.db);
    if (backfilled > 0) log(`measures rebuilt from the audit log for ${backfilled} incidents`);

    const clientConnection = await Connection.connect({ address: temporalAddress });
    closers.push(() => clientConnection.close());
    const added = await ensureSearchAttributes(clientConnection, config.temporalNamespace);
    if (added.length > 0) log(`registered search attributes: ${added.join(', ')}`);

    // One registry: the API's /metrics shows this in-process worker's enrichment latency too.
    const metrics = new Registry();
    const workerConnection = await NativeConnection.connect({ address: temporalAddress });
    closers.push(() => workerConnection.close());
    const worker = await createIncidentWorker({
      connection: workerConnection,
      namespace: config.temporalNamespace,
      taskQueue: config.taskQueue,
      db: database.db,
      metrics,
      signer: keyRing.signer,
      tuning: config.workerTuning,
    });
    const workerDone = worker.run();
    closers.push(async () => {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await workerDone;
    });

    const temporal = new Client({ connection: clientConnection, namespace: config.temporalNamespace });
    const app = await buildApp({
      db: database.db,
      temporal,
      taskQueue: config.taskQueue,
      playbooks: createPlaybookCatalog(database.db),
      replayer: createReplayer(),
      metrics,
      keyRing,
      checkpoints,
      ...apiSettings(config),
    });
    await app.listen({ port: config.port, host: config.host });
    closers.push(() => app.close());
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;

    return {
      apiUrl: `http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${port}`,
      temporalAddress,
      temporalUiUrl: devServer?.uiUrl,
      adminToken,
      database: database.kind,
      workerDone,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
