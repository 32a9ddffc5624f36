/**
 * Temporal's time-skipping test server for a test file: timers fire when the test skips time
 * (`skip`), not when the wall clock gets there, so SLA tests neither wait nor race a busy
 * machine. Time is locked (runs at wall speed) between skips. No visibility: nothing here lists
 * workflows.
 */
import { TestWorkflowEnvironment } from '@temporalio/testing';
import proto from '@temporalio/proto';
import { SEARCH_ATTRIBUTES } from '../../workflows/incident.messages.js';
import { locateTimeSkippingServer } from '../../scripts/time-skipping-server.js';

export interface TimeSkippingTemporal {
  address: string;
  /** Advances the server's time by `ms`, firing every timer due meanwhile, in order. */
  skip(ms: number): Promise<void>;
  /** The server's time. */
  now(): Promise<number>;
  stop(): Promise<void>;
}

let launcher: Promise<string> | undefined;

export async function startTimeSkippingTemporal(): Promise<TimeSkippingTemporal> {
  launcher ??= locateTimeSkippingServer({ log: (line) => console.error(line) });
  const env = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path: await launcher } } });
  // The standalone server starts with skipping unlocked (time jumps whenever nothing runs): lock it.
  await env.connection.testService!.lockTimeSkipping({});
  // The test server cannot list search attributes, but takes new ones.
  await env.connection.operatorService.addSearchAttributes({
    namespace: 'default',
    searchAttributes: Object.fromEntries(Object.values(SEARCH_ATTRIBUTES).map((key) => [key.name, proto.temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD])),
  });
  return {
    address: env.address,
    skip: (ms) => env.sleep(ms),
    now: () => env.currentTimeMs(),
    stop: () => env.teardown(),
  };
}
