import type { Kysely, Transaction } from 'kysely';

import type { Database } from './database-schema.js';

/**
 * The differences between databases, kept in one object so the store has no
 * `if (dialect === …)` branches.
 */
export interface DialectCapabilities {
  readonly name: 'sqlite' | 'postgres' | 'mysql';
  /** Whether SELECT … FOR UPDATE exists. SQLite has none and needs none, because it has one writer at a time. */
  readonly rowLocks: boolean;
  /**
   * Serialises device changes of one user across connections for the rest of
   * the transaction, so concurrent logins cannot both skip an eviction. Call it
   * first in a transaction opened by `transaction`, before any statement that
   * locks rows, so two transactions never wait on each other in opposite order.
   */
  lockUser(trx: Transaction<Database>, userId: string): Promise<void>;
  /**
   * Runs `work` in a transaction. Where the database can abort a transaction
   * for a deadlock or a serialization failure, the whole transaction is
   * retried a bounded number of times, so `work` must not have effects
   * outside the database.
   */
  transaction<T>(db: Kysely<Database>, work: (trx: Transaction<Database>) => Promise<T>): Promise<T>;
}

/**
 * SQLite has one writer at a time, and Kysely runs one transaction at a time
 * on its single connection, so no extra lock is needed in one process.
 */
export const sqliteCapabilities: DialectCapabilities = {
  name: 'sqlite',
  rowLocks: false,
  lockUser: () => Promise.resolve(),
  transaction: (db, work) => db.transaction().execute(work),
};
