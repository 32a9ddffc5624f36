/**
 * A fresh, migrated database per test file: a new database on the Postgres server in
 * DATABASE_URL (CI), else an in-memory PGlite (a machine without Postgres).
 */
import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { openDatabase, type DatabaseHandle } from '../../db/client.js';

export interface TestDatabase extends DatabaseHandle {
  /** The URL other processes can connect to; undefined for PGlite. */
  url?: string;
}

export const serverUrl = process.env.DATABASE_URL;

export async function openTestDatabase(): Promise<TestDatabase> {
  if (!serverUrl) {
    const handle = await openDatabase({});
    await handle.migrate();
    return handle;
  }
  const name = `irflow_test_${randomBytes(6).toString('hex')}`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => undefined });
  await admin.unsafe(`create database ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const handle = await openDatabase({ url: url.toString(), maxConnections: 5 });
  await handle.migrate();
  return {
    ...handle,
    url: url.toString(),
    async close() {
      await handle.close();
      const dropper = postgres(serverUrl, { max: 1, onnotice: () => undefined });
      await dropper.unsafe(`drop database if exists ${name} with (force)`);
      await dropper.end();
    },
  };
}
