/**
 * A database administrator forging the ledger: a superuser who turns the append-only triggers
 * off for one transaction (session_replication_role = replica) and writes what they like.
 */
import { sql } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import type { Transaction } from '../../db/transaction.js';

export async function asForger<T>(db: Database, write: (tx: Transaction) => Promise<T>): Promise<T> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`set local session_replication_role = replica`);
    return write(tx as Transaction);
  });
}
