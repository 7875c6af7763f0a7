import { parseDurationSeconds } from '../config/duration.js';
import { DEFAULT_CLEANUP_BATCH_SIZE } from '../config/defaults.js';
import type { ServiceContext } from './context.js';
import { forgetDevices } from './device-lookup.js';
import { pruneSignInHistory } from './sign-in-history.js';

export interface CleanupOptions {
  /**
   * Remove devices not seen for this long: seconds, or text such as `"30d"`
   * or `"12h"`. Default: the refresh token lifetime.
   */
  olderThan?: number | string;
  /** Count the devices that would be removed without removing them. */
  dryRun?: boolean;
  /** Devices, and sign-ins past `signInHistoryDays`, removed per transaction. Default 1000. */
  batchSize?: number;
}

export interface CleanupResult {
  /** Devices removed, or that would be removed in a dry run. */
  count: number;
  dryRun: boolean;
  /** Devices last seen before this time (milliseconds since the epoch) were selected. */
  seenBefore: number;
  /** Sign-ins removed from the history for being older than `signInHistoryDays`; 0 in a dry run. */
  signInsRemoved: number;
}

/**
 * Removes devices not seen within the refresh lifetime, whose refresh tokens
 * have all expired, and sign-ins past the history's retention, in batches so
 * no transaction holds a lock for long.
 */
export async function cleanupStaleDevices(context: ServiceContext, options: CleanupOptions = {}): Promise<CleanupResult> {
  const olderThanSeconds = options.olderThan === undefined ? context.config.refreshTokenLifetime : parseDurationSeconds(options.olderThan);
  const batchSize = options.batchSize ?? DEFAULT_CLEANUP_BATCH_SIZE;
  if (olderThanSeconds === undefined || !Number.isFinite(olderThanSeconds)) {
    throw new TypeError(`Invalid olderThan ${JSON.stringify(options.olderThan)}: pass seconds (0 or more) or a duration such as "30d".`);
  }
  if (!Number.isSafeInteger(batchSize) || batchSize < 1) {
    throw new TypeError(`Invalid batchSize ${String(batchSize)}: pass a whole number of at least 1.`);
  }

  const now = context.clock();
  // No device was seen before the epoch, and earlier times are outside the range of a Date.
  const seenBefore = Math.max(0, now - olderThanSeconds * 1000);
  if (options.dryRun === true) {
    return { count: await context.store.countStaleDevices(seenBefore), dryRun: true, seenBefore, signInsRemoved: 0 };
  }

  let count = 0;
  for (;;) {
    const removed = await context.store.deleteStaleDevices(seenBefore, batchSize);
    count += removed.length;
    await forgetDevices(context, removed, now);
    await context.events.emitRevoked(removed, 'cleanup');
    if (removed.length < batchSize) break;
  }
  const signInsRemoved = await pruneSignInHistory(context, batchSize);
  context.logger.info({ count, signInsRemoved, seenBefore: new Date(seenBefore).toISOString() }, 'stale devices removed');
  return { count, dryRun: false, seenBefore, signInsRemoved };
}
