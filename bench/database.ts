import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { Kysely } from 'kysely';

import type { Database } from '../src/store/database-schema.js';
import { migrateToLatest } from '../src/store/migrate.js';
import { openSqlite } from '../src/store/sqlite.js';

export const BENCH_DATABASES = ['sqlite', 'postgres'] as const;
export type BenchDatabaseKind = (typeof BENCH_DATABASES)[number];

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
    case 'postgres':
      // NOTE: the standalone server reads only a SQLite path so far; this case opens a database once the server can use PostgreSQL.
      throw new Error('--db postgres is not available yet: the standalone server runs on SQLite only. Run without --db, or with --db sqlite.');
  }
}
