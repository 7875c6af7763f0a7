import {
  Kysely,
  MysqlAdapter,
  MysqlDialect,
  PostgresAdapter,
  PostgresDialect,
  SqliteAdapter,
  type LogConfig,
} from 'kysely';
import type { ClientConfig, Pool as PgPool } from 'pg';
import type { Pool as Mysql2Pool } from 'mysql2';

import type { Logger } from '../contracts.js';
import type { Database } from './database-schema.js';
import { sqliteCapabilities, type DialectCapabilities } from './dialect-capabilities.js';
import { mysqlCapabilities } from './mysql-capabilities.js';
import { withQueryTimeout } from './mysql-query-timeout.js';
import { postgresCapabilities } from './postgres-capabilities.js';
import { openSqlite } from './sqlite.js';

/** Connections per pool for a database opened from a URL. */
export const DEFAULT_POOL_SIZE = 10;
/** Maximum time to open a connection, or to wait for a free one, before the request fails with 503. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;
/** Maximum time of one statement before it fails, so an unreachable database cannot hold a request longer. */
export const DEFAULT_QUERY_TIMEOUT_MS = 10_000;

/**
 * The device store, one of:
 * - a URL: `postgres://…` or `postgresql://…` (pg), `mysql://…` or
 *   `mariadb://…` (mysql2), `sqlite:path`, or a plain SQLite file path;
 * - a `Kysely` instance of the host, on any of the three dialects;
 * - a pg `Pool` or a mysql2 pool of the host.
 * Instances and pools the host passes stay the host's to close.
 */
export type DatabaseSource = string | Kysely<any> | PgPool | Mysql2Pool; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface DatabaseConnectionOptions {
  /** Connections per pool, for a URL. Default `DEFAULT_POOL_SIZE` (10). */
  poolSize?: number;
  /** Milliseconds; see `DEFAULT_CONNECT_TIMEOUT_MS` (5000). Applies to URLs. */
  connectTimeoutMs?: number;
  /** Milliseconds; see `DEFAULT_QUERY_TIMEOUT_MS` (10000). Applies to URLs and to mysql2 pools. */
  queryTimeoutMs?: number;
  logger?: Logger;
  /** Kysely's query log option, for a database this function opens. Default: none. */
  log?: LogConfig;
}

export interface OpenedDatabase {
  db: Kysely<Database>;
  capabilities: DialectCapabilities;
  /** Connection settings for a dedicated `LISTEN` connection, when the database is PostgreSQL opened from a URL or pool. */
  postgresListenConfig?: ClientConfig;
  /** A description without credentials, for logs. */
  description: string;
  /** Closes what `openDatabase` opened; leaves a host's instance or pool open. */
  close(): Promise<void>;
}

/** Opens a database from a URL, a path, a Kysely instance or a driver pool. Throws a `TypeError` for anything else. */
export async function openDatabase(source: DatabaseSource, options: DatabaseConnectionOptions = {}): Promise<OpenedDatabase> {
  const poolSize = checkWholeNumber('poolSize', options.poolSize ?? DEFAULT_POOL_SIZE, 1);
  const connectTimeoutMs = checkWholeNumber('connectTimeoutMs', options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS, 1);
  const queryTimeoutMs = checkWholeNumber('queryTimeoutMs', options.queryTimeoutMs ?? DEFAULT_QUERY_TIMEOUT_MS, 1);

  if (source instanceof Kysely) return fromKysely(source as Kysely<Database>);
  if (typeof source === 'string') {
    const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(source)?.[1]?.toLowerCase();
    if (scheme === 'postgres' || scheme === 'postgresql') {
      const { default: pg } = await import('pg');
      const config: ClientConfig = {
        connectionString: source,
        connectionTimeoutMillis: connectTimeoutMs,
        query_timeout: queryTimeoutMs,
        statement_timeout: queryTimeoutMs,
        keepAlive: true,
      };
      const pool = new pg.Pool({ ...config, max: poolSize });
      return fromPostgresPool(pool, config, options, true, describeUrl(source));
    }
    if (scheme === 'mysql' || scheme === 'mariadb') {
      const mysql = await import('mysql2');
      const pool = mysql.createPool({
        uri: source.replace(/^mariadb:/i, 'mysql:'),
        connectionLimit: poolSize,
        connectTimeout: connectTimeoutMs,
        enableKeepAlive: true,
      });
      return fromMysqlPool(pool, queryTimeoutMs, options, true, describeUrl(source));
    }
    if (scheme !== undefined && scheme !== 'sqlite') {
      throw new TypeError(`Invalid option "database": unsupported URL scheme "${scheme}:". Use postgres://, mysql://, sqlite: or a SQLite file path.`);
    }
    const path = source.replace(/^sqlite:(\/\/)?/i, '');
    if (path === '') throw new TypeError('Invalid option "database": the SQLite path is empty. Pass a file path or ":memory:".');
    const db = openSqlite(path, { log: options.log });
    return { db, capabilities: sqliteCapabilities, description: path, close: () => db.destroy() };
  }
  if (isPgPool(source)) return fromPostgresPool(source, source.options, options, false, 'postgres (host pool)');
  if (isMysqlPool(source)) return fromMysqlPool(source, queryTimeoutMs, options, false, 'mysql (host pool)');
  throw new TypeError('Invalid option "database": pass a URL, a SQLite file path, a Kysely instance, a pg Pool or a mysql2 pool.');
}

function fromKysely(db: Kysely<Database>): OpenedDatabase {
  const adapter = db.getExecutor().adapter;
  const capabilities =
    adapter instanceof PostgresAdapter ? postgresCapabilities
    : adapter instanceof MysqlAdapter ? mysqlCapabilities
    : adapter instanceof SqliteAdapter ? sqliteCapabilities
    : undefined;
  if (capabilities === undefined) {
    throw new TypeError('Invalid option "database": the Kysely instance uses a dialect other than PostgreSQL, MySQL or SQLite.');
  }
  return { db, capabilities, description: `${capabilities.name} (host Kysely instance)`, close: () => Promise.resolve() };
}

function fromPostgresPool(pool: PgPool, listenConfig: ClientConfig, options: DatabaseConnectionOptions, owned: boolean, description: string): OpenedDatabase {
  const { logger, log } = options;
  // An idle client whose connection drops emits 'error' on the pool; without a listener Node exits.
  pool.on('error', (error) => logger?.warn({ err: error }, 'idle PostgreSQL connection failed; the pool replaces it'));
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }), ...(log === undefined ? {} : { log }) });
  return {
    db,
    capabilities: postgresCapabilities,
    postgresListenConfig: listenConfig,
    description,
    close: owned ? () => db.destroy() : () => Promise.resolve(),
  };
}

function fromMysqlPool(pool: Mysql2Pool, queryTimeoutMs: number, options: DatabaseConnectionOptions, owned: boolean, description: string): OpenedDatabase {
  const { logger, log } = options;
  pool.on('connection', (connection) => {
    connection.on('error', (error: Error) => logger?.warn({ err: error }, 'MySQL connection failed; the pool replaces it'));
  });
  const db = new Kysely<Database>({ dialect: new MysqlDialect({ pool: withQueryTimeout(pool, queryTimeoutMs) }), ...(log === undefined ? {} : { log }) });
  return {
    db,
    capabilities: mysqlCapabilities,
    description,
    close: owned ? () => db.destroy() : () => Promise.resolve(),
  };
}

function isPgPool(value: unknown): value is PgPool {
  const candidate = value as Partial<PgPool> | null;
  return typeof candidate?.connect === 'function' && typeof candidate.query === 'function' && 'totalCount' in candidate;
}

function isMysqlPool(value: unknown): value is Mysql2Pool {
  const candidate = value as Partial<Mysql2Pool> | null;
  return typeof candidate?.getConnection === 'function' && typeof candidate.end === 'function';
}

/** Keeps scheme, host, port and database name; drops the user name and password. */
export function describeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
  } catch {
    return url.replace(/\/\/[^@/]*@/, '//');
  }
}

function checkWholeNumber(name: string, value: number, min: number): number {
  if (!Number.isSafeInteger(value) || value < min) {
    throw new TypeError(`Invalid database option "${name}": ${String(value)}. Pass a whole number of at least ${min}.`);
  }
  return value;
}
