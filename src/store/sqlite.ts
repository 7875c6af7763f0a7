import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect, type LogConfig } from 'kysely';

import type { Database } from './database-schema.js';
import { SqliteBooleanPlugin } from './sqlite-boolean-plugin.js';

/** How long a writer waits for another process's lock before failing, in milliseconds. */
const SQLITE_BUSY_TIMEOUT_MS = 5000;

/**
 * Opens a SQLite file (created with its folder when missing) in WAL mode, so
 * readers do not block the writer and the CLI can work beside a running server.
 * `log` is Kysely's query log option (default: none).
 */
export function openSqlite(path: string, options: { log?: LogConfig } = {}): Kysely<Database> {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const connection = new BetterSqlite3(path);
  connection.pragma('journal_mode = WAL');
  connection.pragma(`busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`);
  connection.pragma('synchronous = NORMAL');
  return new Kysely<Database>({
    dialect: new SqliteDialect({ database: connection }),
    plugins: [new SqliteBooleanPlugin()],
    ...(options.log === undefined ? {} : { log: options.log }),
  });
}
