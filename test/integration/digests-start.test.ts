/**
 * The API's start of the digests' workflow while Temporal cannot be reached, then the API closed
 * and its connection with it: the Temporal client retries a start that failed as unavailable,
 * and a retry made on a closed connection throws outside any promise ("Channel has been shut
 * down"), which ends the process. Closing the API must wait for the start to end first.
 */
import { createServer } from 'node:net';
import { Client, Connection } from '@temporalio/client';
import Fastify from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { createDigestDesk, startDigestsOnReady } from '../../api/digests.js';

/** A local port nothing listens on. */
async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const uncaught: unknown[] = [];
const record = (error: unknown) => uncaught.push(error);
afterEach(() => process.off('uncaughtException', record));

describe("the digests' workflow started by the API", () => {
  it('is given up within its deadline when Temporal cannot be reached, and closing waits for it: no retry on a closed connection', async () => {
    process.on('uncaughtException', record);
    const connection = Connection.lazy({ address: `127.0.0.1:${await deadPort()}` });
    const warnings: string[] = [];
    const app = Fastify({ logger: { level: 'warn', stream: { write: (line: string) => warnings.push(line) } } });
    startDigestsOnReady(app, createDigestDesk(new Client({ connection }), 'irflow-digests-test'), { attemptMs: 1_500, againMs: 60_000 });
    await app.ready();
    await new Promise((resolve) => setTimeout(resolve, 300)); // the start is failing and being retried now
    await app.close();
    await connection.close();
    // Longer than the client's longest wait between retries (5 s): a retry left behind would have run.
    await new Promise((resolve) => setTimeout(resolve, 6_000));
    expect(uncaught.map(String)).toEqual([]);
    expect(warnings).toEqual([]); // cancelled by the close: not reported as a failure to start
  }, 20_000);
});
