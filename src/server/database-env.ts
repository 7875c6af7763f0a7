import type { DatabaseConnectionOptions } from '../store/open-database.js';

/** The database settings of the standalone server and the CLI, read from the environment. */
export interface DatabaseEnv {
  /** A URL or a SQLite path. */
  source: string;
  connection: Omit<DatabaseConnectionOptions, 'logger'>;
  /** `postgres`, a Redis URL, or `false` for none; undefined selects the default of the database. */
  notifications: string | false | undefined;
}

/**
 * Reads `TRUSTED_DEVICES_DATABASE_URL` (or the older `TRUSTED_DEVICES_DATABASE`,
 * a SQLite path), the pool settings and `TRUSTED_DEVICES_NOTIFICATIONS`.
 * Throws an `Error` naming the variable when a value cannot be used.
 */
export function readDatabaseEnv(env: NodeJS.ProcessEnv, defaultSqlitePath: string): DatabaseEnv {
  const source = nonEmpty(env.TRUSTED_DEVICES_DATABASE_URL) ?? nonEmpty(env.TRUSTED_DEVICES_DATABASE) ?? defaultSqlitePath;
  const connection: DatabaseEnv['connection'] = {};
  const poolSize = readWholeNumber(env, 'TRUSTED_DEVICES_DATABASE_POOL_SIZE');
  const connectTimeoutMs = readWholeNumber(env, 'TRUSTED_DEVICES_DATABASE_CONNECT_TIMEOUT_MS');
  const queryTimeoutMs = readWholeNumber(env, 'TRUSTED_DEVICES_DATABASE_QUERY_TIMEOUT_MS');
  if (poolSize !== undefined) connection.poolSize = poolSize;
  if (connectTimeoutMs !== undefined) connection.connectTimeoutMs = connectTimeoutMs;
  if (queryTimeoutMs !== undefined) connection.queryTimeoutMs = queryTimeoutMs;

  const rawNotifications = nonEmpty(env.TRUSTED_DEVICES_NOTIFICATIONS);
  let notifications: DatabaseEnv['notifications'];
  if (rawNotifications === undefined) notifications = undefined;
  else if (['off', 'none', 'false'].includes(rawNotifications.toLowerCase())) notifications = false;
  else if (rawNotifications === 'postgres' || /^rediss?:\/\//.test(rawNotifications)) notifications = rawNotifications;
  else {
    throw new Error(
      `Invalid environment variable TRUSTED_DEVICES_NOTIFICATIONS=${JSON.stringify(rawNotifications.replace(/\/\/[^@/]*@/, '//').slice(0, 60))}: expected postgres, a redis:// URL, or off.`,
    );
  }
  return { source, connection, notifications };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

function readWholeNumber(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const raw = nonEmpty(env[name]);
  if (raw === undefined) return undefined;
  if (!/^[1-9]\d*$/.test(raw)) throw new Error(`Invalid environment variable ${name}=${JSON.stringify(raw.slice(0, 60))}: expected a whole number of at least 1.`);
  return Number(raw);
}
