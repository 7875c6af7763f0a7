import { createHash } from 'node:crypto';

import { sql, type Transaction } from 'kysely';

import type { Database } from './database-schema.js';
import type { DialectCapabilities } from './dialect-capabilities.js';
import { errorCodeOf, retryTransaction } from './transaction-retry.js';

/** mysql2 error numbers after which the whole transaction may simply run again. */
const RETRYABLE_ERRNOS = new Set([
  1213, // ER_LOCK_DEADLOCK: InnoDB chose this transaction as the deadlock victim
  1205, // ER_LOCK_WAIT_TIMEOUT
]);

/** Maximum wait of `lockUser` for another transaction of the same user, in seconds. */
const USER_LOCK_TIMEOUT_SECONDS = 10;

/** Whether a transaction took a named lock that must be released after it ends. */
const heldLocks = new WeakMap<Transaction<Database>, { taken: boolean }>();

/**
 * MySQL and MariaDB: a named lock per user (`GET_LOCK`). Named locks belong
 * to the session, not the transaction, so `transaction` pins one connection,
 * runs the transaction on it and releases the locks after COMMIT or
 * ROLLBACK; releasing before COMMIT would let the next transaction read
 * around uncommitted rows. READ COMMITTED lets a transaction that waited for
 * the lock see what the holder committed, where REPEATABLE READ could have
 * fixed an older snapshot.
 */
export const mysqlCapabilities: DialectCapabilities = {
  name: 'mysql',
  rowLocks: true,
  async lockUser(trx, userId) {
    const held = heldLocks.get(trx);
    if (held === undefined) throw new TypeError('lockUser must run inside a transaction opened by mysqlCapabilities.transaction.');

    const result = await sql<{ acquired: number | null }>`select get_lock(${userLockName(userId)}, ${USER_LOCK_TIMEOUT_SECONDS}) as acquired`.execute(trx);
    if (Number(result.rows[0]?.acquired) !== 1) {
      throw new Error(`Timed out after ${USER_LOCK_TIMEOUT_SECONDS} s waiting for the device lock of a user.`);
    }
    held.taken = true;
  },
  transaction: (db, work) =>
    retryTransaction(isRetryableMysqlError, () =>
      db.connection().execute(async (connection) => {
        const held = { taken: false };
        try {
          return await connection
            .transaction()
            .setIsolationLevel('read committed')
            .execute((trx) => {
              heldLocks.set(trx, held);
              return work(trx);
            });
        } finally {
          // RELEASE_ALL_LOCKS exists since MySQL 5.7.5 and MariaDB 10.5.
          if (held.taken) await sql`select release_all_locks()`.execute(connection);
        }
      }),
    ),
};

/** Lock names are at most 64 characters, so the user id is hashed. */
function userLockName(userId: string): string {
  return `trusted_devices:${createHash('sha1').update(userId).digest('hex')}`;
}

export function isRetryableMysqlError(error: unknown): boolean {
  const { errno } = errorCodeOf(error);
  return typeof errno === 'number' && RETRYABLE_ERRNOS.has(errno);
}
