/**
 * Shared by the benchmarks: a fresh database (a new one on the server in DATABASE_URL, dropped
 * afterwards; else PGlite in memory) and the median of timings.
 */
import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { openDatabase, type DatabaseHandle } from '../db/client.js';

export async function openBenchDatabase(): Promise<{ handle: DatabaseHandle; drop: () => Promise<void>; url?: string }> {
  const url = process.env.DATABASE_URL;
  if (!url) {
    const handle = await openDatabase({});
    await handle.migrate();
    return { handle, drop: () => handle.close() };
  }
  const name = `irflow_bench_${randomBytes(4).toString('hex')}`;
  const admin = postgres(url, { max: 1, onnotice: () => undefined });
  await admin.unsafe(`create database ${name}`);
  const target = new URL(url);
  target.pathname = `/${name}`;
  const handle = await openDatabase({ url: target.toString() });
  await handle.migrate();
  return {
    handle,
    url: target.toString(),
    drop: async () => {
      await handle.close();
      await admin.unsafe(`drop database ${name} with (force)`);
      await admin.end();
    },
  };
}

export const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/** A benchmark measures throughput, not the abuse limits: out of its reach. */
export const BENCH_LIMITS = { perWindow: 1_000_000_000, ingestPerWindow: 1_000_000_000, inFlightPerToken: 1_000_000 };

/** BENCH_TEMPORAL_DYNAMIC_CONFIG (JSON): dev server settings over irflow's (runtime/dev-server.ts), to compare them. */
export const benchDynamicConfig = (): { dynamicConfig?: Record<string, string | number | boolean> } => {
  const dynamic = process.env.BENCH_TEMPORAL_DYNAMIC_CONFIG;
  return dynamic ? { dynamicConfig: JSON.parse(dynamic) as Record<string, string | number | boolean> } : {};
};
