/** A transaction of either driver, as `db.transaction(async (tx) => …)` hands it. */
import type { Database } from './client.js';

export type Transaction = Parameters<Parameters<Database['transaction']>[0]>[0];
