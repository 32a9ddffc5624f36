/** Raw SQL for the read models: rows of a query, whichever driver (postgres.js or PGlite) runs it. */
import type { SQL } from 'drizzle-orm';
import type { Database } from './client.js';
import type { Transaction } from './transaction.js';

export async function selectRows<T>(db: Database | Transaction, query: SQL): Promise<T[]> {
  const result = (await db.execute(query)) as unknown;
  return (Array.isArray(result) ? result : (result as { rows: T[] }).rows) as T[];
}
