import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { Kysely } from 'kysely';
import pg from 'pg';

import type { Database } from '../src/store/database-schema.js';
import { migrateToLatest } from '../src/store/migrate.js';
import { openDatabase } from '../src/store/open-database.js';
import { openSqlite } from '../src/store/sqlite.js';

export const BENCH_DATABASES = ['sqlite', 'postgres'] as const;
export type BenchDatabaseKind = (typeof BENCH_DATABASES)[number];

/** The PostgreSQL server the bench uses; it creates a schema of its own inside. Default: the local `test` database, trust auth. */
export const BENCH_POSTGRES_URL = process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** A database of one bench server, created empty and migrated, deleted by `drop`. */
export interface BenchDatabase {
  kind: BenchDatabaseKind;
  /** The driver's own connection, for seeding. */
  db: Kysely<Database>;
  /** Environment variables that point the server at this database. */
  serverEnv: Record<string, string>;
  drop(): Promise<void>;
}

export async function openBenchDatabase(kind: BenchDatabaseKind): Promise<BenchDatabase> {
  switch (kind) {
    case 'sqlite': {
      const folder = mkdtempSync(join(tmpdir(), 'trusted-devices-bench-'));
      const path = join(folder, 'bench.sqlite');
      const db = openSqlite(path);
      await migrateToLatest(db as Kysely<unknown>, { includeUsers: true });
      return {
        kind,
        db,
        serverEnv: { TRUSTED_DEVICES_DATABASE: path, TRUSTED_DEVICES_DATA_DIR: folder },
        async drop() {
          await db.destroy();
          rmSync(folder, { recursive: true, force: true });
        },
      };
    }
    case 'postgres': {
      // A schema of the run's own, so runs never see each other's rows; dropped with everything in it.
      const schema = `td_bench_${randomBytes(6).toString('hex')}`;
      const admin = new pg.Client({ connectionString: BENCH_POSTGRES_URL });
      await admin.connect();
      await admin.query(`create schema ${schema}`);
      const url = new URL(BENCH_POSTGRES_URL);
      url.searchParams.set('options', `-c search_path=${schema}`);
      const opened = await openDatabase(url.toString());
      await migrateToLatest(opened.db as Kysely<unknown>, { includeUsers: true });
      // The bench seeds a few thousand rows per run; the folder holds the server's other files only.
      const folder = mkdtempSync(join(tmpdir(), 'trusted-devices-bench-'));
      return {
        kind,
        db: opened.db,
        serverEnv: { TRUSTED_DEVICES_DATABASE_URL: url.toString(), TRUSTED_DEVICES_DATA_DIR: folder },
        async drop() {
          await opened.close();
          await admin.query(`drop schema ${schema} cascade`);
          await admin.end();
          rmSync(folder, { recursive: true, force: true });
        },
      };
    }
  }
}
