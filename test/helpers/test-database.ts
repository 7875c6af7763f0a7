import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { Kysely } from 'kysely';
import mysql from 'mysql2/promise';
import pg from 'pg';

import type { Database } from '../../src/store/database-schema.js';
import type { DialectCapabilities } from '../../src/store/dialect-capabilities.js';
import { openDatabase, type DatabaseConnectionOptions } from '../../src/store/open-database.js';
import { SERVER_URLS } from './database-servers.js';
import type { TestTarget } from './targets.js';

/** A database of the test's own, dropped by `drop`. */
export interface TestDatabase {
  db: Kysely<Database>;
  capabilities: DialectCapabilities;
  /** A URL of this database, for servers started in other processes. */
  url: string;
  /** Closes the connections and deletes the database. */
  drop(): Promise<void>;
}

export interface TestDatabaseOptions extends Omit<DatabaseConnectionOptions, 'logger'> {
  /** Connect through this URL's host and port instead, such as a proxy in front of the server. */
  via?: { host: string; port: number };
}

/** Small pools: several test processes may share one server. */
const TEST_POOL_SIZE = 5;

/**
 * Creates an empty database for one test server: a new SQLite file in a
 * temporary folder, a new PostgreSQL schema, or a new MySQL database, each
 * with a unique name.
 */
export async function openTestDatabase(kind: TestTarget['database'], options: TestDatabaseOptions = {}): Promise<TestDatabase> {
  const name = `td_test_${randomBytes(6).toString('hex')}`;
  const connection = { poolSize: TEST_POOL_SIZE, ...options };
  switch (kind) {
    case 'sqlite': {
      const folder = mkdtempSync(join(tmpdir(), 'trusted-devices-test-'));
      const url = `sqlite:${join(folder, 'test.sqlite')}`;
      const opened = await openDatabase(url);
      return {
        db: opened.db,
        capabilities: opened.capabilities,
        url,
        async drop() {
          await opened.close();
          rmSync(folder, { recursive: true, force: true });
        },
      };
    }
    case 'postgres': {
      const admin = new pg.Client({ connectionString: SERVER_URLS.postgres });
      await admin.connect();
      await admin.query(`create schema ${name}`);
      const url = withPostgresSearchPath(redirect(SERVER_URLS.postgres, options.via), name);
      const opened = await openDatabase(url, connection);
      return {
        db: opened.db,
        capabilities: opened.capabilities,
        url,
        async drop() {
          await opened.close();
          await admin.query(`drop schema ${name} cascade`);
          await admin.end();
        },
      };
    }
    case 'mysql': {
      const admin = await mysql.createConnection(SERVER_URLS.mysql);
      await admin.query(`create database ${name}`);
      const url = withMysqlDatabase(redirect(SERVER_URLS.mysql, options.via), name);
      const opened = await openDatabase(url, connection);
      return {
        db: opened.db,
        capabilities: opened.capabilities,
        url,
        async drop() {
          await opened.close();
          await admin.query(`drop database ${name}`);
          await admin.end();
        },
      };
    }
  }
}

function redirect(url: string, via: TestDatabaseOptions['via']): string {
  if (via === undefined) return url;
  const parsed = new URL(url);
  parsed.hostname = via.host;
  parsed.port = String(via.port);
  return parsed.toString();
}

/** Makes every connection of the URL use the schema, through the `options` startup parameter. */
function withPostgresSearchPath(url: string, schema: string): string {
  const parsed = new URL(url);
  parsed.searchParams.set('options', `-c search_path=${schema}`);
  return parsed.toString();
}

function withMysqlDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}
