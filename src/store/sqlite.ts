import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect, type LogConfig, type SqliteDatabase, type SqliteStatement } from 'kysely';

import type { Database } from './database-schema.js';
import { SqliteBooleanPlugin } from './sqlite-boolean-plugin.js';

/** How long a writer waits for another process's lock before failing, in milliseconds. */
const SQLITE_BUSY_TIMEOUT_MS = 5000;
/** Prepared statements kept per connection; the store issues a few dozen distinct queries. */
const STATEMENT_CACHE_SIZE = 256;

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
    dialect: new SqliteDialect({ database: withStatementCache(connection) }),
    plugins: [new SqliteBooleanPlugin()],
    ...(options.log === undefined ? {} : { log: options.log }),
  });
}

/**
 * Reuses prepared statements by SQL text. Kysely's SQLite driver prepares
 * every query anew, which took about a tenth of a device-list request's
 * CPU profile. better-sqlite3 runs one statement at a time on one
 * connection, and SQLite re-prepares a cached statement itself after a
 * schema change, so sharing them is safe. The least recently used goes
 * first when the cache is full.
 */
function withStatementCache(connection: BetterSqlite3.Database): SqliteDatabase {
  const statements = new Map<string, SqliteStatement>();
  return {
    close: () => connection.close(),
    prepare(sql: string): SqliteStatement {
      let statement = statements.get(sql);
      if (statement !== undefined) {
        statements.delete(sql);
      } else {
        statement = connection.prepare(sql);
        if (statements.size >= STATEMENT_CACHE_SIZE) statements.delete(statements.keys().next().value!);
      }
      statements.set(sql, statement);
      return statement;
    },
  };
}
