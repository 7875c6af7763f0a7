import type { Logger } from '../contracts.js';
import type { DeviceChangeNotifier } from './device-notifier.js';
import type { OpenedDatabase } from './open-database.js';
import { PostgresNotifier } from './postgres-notifier.js';
import { RedisNotifier } from './redis-notifier.js';

/** `'postgres'` (LISTEN/NOTIFY), a Redis URL (pub/sub), a notifier of your own, or `false` for none. */
export type NotificationsChoice = 'postgres' | `redis://${string}` | `rediss://${string}` | DeviceChangeNotifier | false;

/** Builds the notification channel the `notifications` option selects; `undefined` means none. */
export function selectNotifier(
  choice: NotificationsChoice | undefined,
  opened: OpenedDatabase | undefined,
  tablePrefix: string,
  logger: Logger,
): DeviceChangeNotifier | undefined {
  const channel = `${tablePrefix}trusted_devices_changes`;
  const selected = choice ?? (opened?.postgresListenConfig !== undefined ? 'postgres' : false);
  if (selected === false) return undefined;
  if (selected === 'postgres') {
    if (opened?.postgresListenConfig === undefined) {
      throw new TypeError(
        'Invalid option "notifications": "postgres" needs "database" as a PostgreSQL URL or pg pool. With a Kysely instance or a store, pass a PostgresNotifier.',
      );
    }
    return new PostgresNotifier({ connection: opened.postgresListenConfig, db: opened.db, channel, logger });
  }
  if (typeof selected === 'string') {
    if (!/^rediss?:\/\//.test(selected)) {
      throw new TypeError('Invalid option "notifications": pass "postgres", a redis:// URL, a DeviceChangeNotifier or false.');
    }
    return new RedisNotifier({ url: selected, channel, logger });
  }
  if (typeof selected.publish !== 'function' || typeof selected.start !== 'function' || typeof selected.close !== 'function') {
    throw new TypeError('Invalid option "notifications": a notifier needs start, publish and close methods.');
  }
  return selected;
}
