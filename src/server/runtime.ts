import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';

import type { LogConfig } from 'kysely';

import type { Logger } from '../contracts.js';
import { KyselyStore } from '../store/kysely-store.js';
import { migrateToLatest } from '../store/migrate.js';
import { openDatabase } from '../store/open-database.js';
import { selectNotifier, type NotificationsChoice } from '../store/select-notifier.js';
import { createTrustedDevices, type TrustedDevices } from '../trusted-devices.js';
import { SqlUserStore } from '../users/sql-user-store.js';
import { readDatabaseEnv } from './database-env.js';
import { readEnvOptions } from './env-options.js';
import { geolocationFromEnv } from './geolocation-setting.js';
import { loadSigningKey } from './signing-key.js';
import { openThrottleStore, type OpenedThrottleStore } from './throttle-store.js';

export interface Runtime {
  td: TrustedDevices;
  users: SqlUserStore;
  /** The database's location, without credentials. */
  databasePath: string;
  close(): Promise<void>;
}

export interface RuntimeOptions {
  env: NodeJS.ProcessEnv;
  logger: Logger;
  /** Generate and keep a signing key when none is configured. */
  demo: boolean;
  /**
   * The CLI mints no tokens, so it may run without the server's key; a
   * random one is used then.
   */
  requireSigningKey: boolean;
  /** Open the login throttle's shared store; the CLI, which serves no logins, leaves it closed. */
  serveLogins?: boolean;
  /** Kysely's `log` option for the database, such as the statement counter of the benchmarks. Default: none. */
  queryLog?: LogConfig;
}

/**
 * Opens what the standalone server and the CLI share: the database
 * (`TRUSTED_DEVICES_DATABASE_URL`, or the SQLite file under the data
 * folder), its migrations, the built-in users table, the notification
 * channel, and the `TrustedDevices` instance configured from the environment.
 */
export async function openRuntime(options: RuntimeOptions): Promise<Runtime> {
  const { env } = options;
  const dataDir = resolve(env.TRUSTED_DEVICES_DATA_DIR ?? 'data');
  const databaseEnv = readDatabaseEnv(env, resolve(dataDir, 'trusted-devices.sqlite'));
  const signingKey = options.requireSigningKey || options.demo || env.TRUSTED_DEVICES_SIGNING_KEY !== undefined
    ? loadSigningKey(env, dataDir, options.demo).key
    : randomBytes(48).toString('base64url');
  const envOptions = readEnvOptions(env);
  const geolocation = geolocationFromEnv(env, options.logger);
  const tablePrefix = envOptions.tablePrefix ?? '';

  const opened = await openDatabase(databaseEnv.source, { ...databaseEnv.connection, logger: options.logger, log: options.queryLog });
  let throttle: OpenedThrottleStore | undefined;
  try {
    throttle = options.serveLogins === true ? await openThrottleStore(env) : undefined;
    await migrateToLatest(opened.db as never, { tablePrefix, includeUsers: true });
    const users = new SqlUserStore(opened.db, { tablePrefix });
    const notifier = selectNotifier(databaseEnv.notifications as NotificationsChoice | undefined, opened, tablePrefix, options.logger);
    const td = await createTrustedDevices({
      ...envOptions,
      signingKey,
      users,
      store: new KyselyStore(opened.db, opened.capabilities, { tablePrefix, onClose: () => opened.close() }),
      notifications: notifier ?? false,
      logger: options.logger,
      geolocation,
      loginThrottleStore: throttle?.store ?? 'memory',
    });
    const openedThrottle = throttle;
    return {
      td,
      users,
      databasePath: opened.description,
      async close() {
        await td.close();
        await openedThrottle?.close();
      },
    };
  } catch (error) {
    await throttle?.close();
    await opened.close();
    throw error;
  }
}
