import { sql } from 'kysely';

import type { DialectCapabilities } from './dialect-capabilities.js';
import { errorCodeOf, retryTransaction } from './transaction-retry.js';

/** SQLSTATE codes of PostgreSQL errors after which the whole transaction may simply run again. */
const RETRYABLE_SQLSTATES = new Set([
  '40001', // serialization_failure
  '40P01', // deadlock_detected
]);

/** Namespace of the two-key advisory locks, so they cannot meet a host's one-key locks. */
const ADVISORY_LOCK_NAMESPACE = 'trusted_devices.user';

/**
 * PostgreSQL: a transaction-scoped advisory lock per user, released by
 * COMMIT or ROLLBACK. Two users whose ids hash alike share a lock, which
 * only serialises them. The default READ COMMITTED isolation lets a
 * transaction that waited for the lock see what the holder committed.
 */
export const postgresCapabilities: DialectCapabilities = {
  name: 'postgres',
  rowLocks: true,
  async lockUser(trx, userId) {
    await sql`select pg_advisory_xact_lock(hashtext(${ADVISORY_LOCK_NAMESPACE}), hashtext(${userId}))`.execute(trx);
  },
  transaction: (db, work) => retryTransaction(isRetryablePostgresError, () => db.transaction().execute(work)),
};

export function isRetryablePostgresError(error: unknown): boolean {
  const { code } = errorCodeOf(error);
  return typeof code === 'string' && RETRYABLE_SQLSTATES.has(code);
}
