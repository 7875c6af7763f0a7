import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';

import type { LogConfig } from 'kysely';

import type { Logger } from '../contracts.js';
import { sqliteCapabilities } from '../store/dialect-capabilities.js';
import { KyselyStore } from '../store/kysely-store.js';
import { migrateToLatest } from '../store/migrate.js';
import { openSqlite } from '../store/sqlite.js';
import { createTrustedDevices, type TrustedDevices } from '../trusted-devices.js';
import { SqlUserStore } from '../users/sql-user-store.js';
import { readEnvOptions } from './env-options.js';
import { geolocationFromEnv } from './geolocation-setting.js';
import { loadSigningKey } from './signing-key.js';
import { openThrottleStore, type OpenedThrottleStore } from './throttle-store.js';

export interface Runtime {
  td: TrustedDevices;
  users: SqlUserStore;
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
 * Opens what the standalone server and the CLI share: the SQLite file under
 * the data folder, its migrations, the built-in users table, and the
 * `TrustedDevices` instance configured from the environment.
 */
export async function openRuntime(options: RuntimeOptions): Promise<Runtime> {
  const { env } = options;
  const dataDir = resolve(env.TRUSTED_DEVICES_DATA_DIR ?? 'data');
  const databasePath = env.TRUSTED_DEVICES_DATABASE ?? resolve(dataDir, 'trusted-devices.sqlite');
  const signingKey = options.requireSigningKey || options.demo || env.TRUSTED_DEVICES_SIGNING_KEY !== undefined
    ? loadSigningKey(env, dataDir, options.demo).key
    : randomBytes(48).toString('base64url');
  const envOptions = readEnvOptions(env);
  const geolocation = geolocationFromEnv(env, options.logger);

  const db = openSqlite(databasePath, { log: options.queryLog });
  let throttle: OpenedThrottleStore | undefined;
  try {
    throttle = options.serveLogins === true ? await openThrottleStore(env) : undefined;
    await migrateToLatest(db as never, { tablePrefix: envOptions.tablePrefix ?? '', includeUsers: true });
    const users = new SqlUserStore(db, { tablePrefix: envOptions.tablePrefix ?? '' });
    const td = await createTrustedDevices({
      ...envOptions,
      signingKey,
      users,
      store: new KyselyStore(db, sqliteCapabilities, { tablePrefix: envOptions.tablePrefix ?? '' }),
      logger: options.logger,
      geolocation,
      loginThrottleStore: throttle?.store ?? 'memory',
    });
    const opened = throttle;
    return {
      td,
      users,
      databasePath,
      async close() {
        await td.close();
        await opened?.close();
      },
    };
  } catch (error) {
    await throttle?.close();
    await db.destroy();
    throw error;
  }
}
