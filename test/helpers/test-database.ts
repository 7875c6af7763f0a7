import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { Kysely } from 'kysely';

import type { Database } from '../../src/store/database-schema.js';
import { sqliteCapabilities, type DialectCapabilities } from '../../src/store/dialect-capabilities.js';
import { openSqlite } from '../../src/store/sqlite.js';
import type { TestTarget } from './targets.js';

/** A database of the test's own, dropped by `drop`. */
export interface TestDatabase {
  db: Kysely<Database>;
  capabilities: DialectCapabilities;
  /** Closes the connections and deletes the database. */
  drop(): Promise<void>;
}

/** Creates an empty database for one test server: a new SQLite file in a temporary folder. */
export function openTestDatabase(kind: TestTarget['database']): Promise<TestDatabase> {
  switch (kind) {
    case 'sqlite': {
      const folder = mkdtempSync(join(tmpdir(), 'trusted-devices-test-'));
      const db = openSqlite(join(folder, 'test.sqlite'));
      return Promise.resolve({
        db,
        capabilities: sqliteCapabilities,
        async drop() {
          await db.destroy();
          rmSync(folder, { recursive: true, force: true });
        },
      });
    }
  }
}
