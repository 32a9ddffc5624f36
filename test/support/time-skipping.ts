/**
 * Temporal's time-skipping test server for a test file: timers fire when the test skips time
 * (`skip`), not when the wall clock gets there, so SLA tests neither wait nor race a busy
 * machine. Time is locked (runs at wall speed) between skips. No visibility: nothing here lists
 * workflows.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { Connection } from '@temporalio/client';
// How the SDK's own test environment asks for the test service on a connection (there is no public option).
import { InternalConnectionOptionsSymbol, type InternalConnectionOptions } from '@temporalio/client/lib/connection.js';
import { msToTs, tsToMs } from '@temporalio/common/lib/time.js';
import proto from '@temporalio/proto';
import { SEARCH_ATTRIBUTES } from '../../workflows/incident.messages.js';
import { locateTimeSkippingServer } from '../../scripts/time-skipping-server.js';
import { freePort } from '../../runtime/ports.js';

export interface TimeSkippingTemporal {
  address: string;
  /** Advances the server's time by `ms`, firing every timer due meanwhile, in order. */
  skip(ms: number): Promise<void>;
  /** The server's time. */
  now(): Promise<number>;
  stop(): Promise<void>;
}

let launcher: Promise<string> | undefined;

/**
 * Runs the launcher on a free port and waits until the server answers. Started here rather than
 * by the SDK's `createTimeSkipping`, whose start-up bound of 5 s a JVM on a busy machine misses.
 */
async function startServer(): Promise<{ child: ChildProcess; connection: Connection; address: string }> {
  const port = await freePort();
  const child = spawn(await launcher!, [String(port)], { stdio: 'ignore', detached: false });
  const address = `127.0.0.1:${port}`;
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the time-skipping test server exited with code ${child.exitCode} before serving`);
    try {
      const options: InternalConnectionOptions = { address, connectTimeout: 2000, [InternalConnectionOptionsSymbol]: { supportsTestService: true } };
      const connection = await Connection.connect(options);
      await connection.testService!.getCurrentTime({});
      return { child, connection, address };
    } catch (error) {
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`the time-skipping test server at ${address} did not serve within 120 s: ${String(error)}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

export async function startTimeSkippingTemporal(): Promise<TimeSkippingTemporal> {
  launcher ??= locateTimeSkippingServer({ log: (line) => console.error(line) });
  const { child, connection, address } = await startServer();
  const testService = connection.testService!;
  // The standalone server starts with skipping unlocked (time jumps whenever nothing runs): lock it.
  await testService.lockTimeSkipping({});
  // The test server cannot list search attributes, but takes new ones.
  await connection.operatorService.addSearchAttributes({
    namespace: 'default',
    searchAttributes: Object.fromEntries(Object.values(SEARCH_ATTRIBUTES).map((key) => [key.name, proto.temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD])),
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    address,
    // What the SDK's environment does for `sleep` and `currentTimeMs`.
    skip: async (ms) => void (await testService.unlockTimeSkippingWithSleep({ duration: msToTs(ms) })),
    now: async () => tsToMs((await testService.getCurrentTime({})).time),
    stop: async () => {
      await connection.close();
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
