import { Migrator, PostgresAdapter, sql, type Kysely, type Migration, type MigrationResultSet } from 'kysely';

import { deviceMigrations, userMigrations } from './migrations/device-migrations.js';
import { signInHistoryMigrations } from './migrations/sign-in-history-migrations.js';

export interface MigrateOptions {
  tablePrefix?: string;
  /** Also create the built-in users table that the standalone server uses. */
  includeUsers?: boolean;
}

/**
 * Brings the tables up to date. Safe to run from several processes at once:
 * Kysely's migrator takes a lock table first. Throws with the failed step's
 * name when a migration fails.
 */
export async function migrateToLatest(db: Kysely<unknown>, options: MigrateOptions = {}): Promise<string[]> {
  const prefix = options.tablePrefix ?? '';
  const schema = await migrationTableSchema(db);
  const applied = await run(db, schema, `${prefix}trusted_devices_migrations`, { ...deviceMigrations(prefix), ...signInHistoryMigrations(prefix) });
  if (options.includeUsers === true) {
    applied.push(...(await run(db, schema, `${prefix}users_migrations`, userMigrations(prefix))));
  }
  return applied;
}

/**
 * Returns PostgreSQL's current schema, where the tables are created. Without
 * it, Kysely 0.28's migrator takes a migration table of the same name in any
 * other schema of the database as its own, and then fails to lock it.
 */
async function migrationTableSchema(db: Kysely<unknown>): Promise<string | undefined> {
  if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return undefined;
  const result = await sql<{ schema: string }>`select current_schema() as schema`.execute(db);
  return result.rows[0]?.schema;
}

async function run(db: Kysely<unknown>, schema: string | undefined, tableName: string, migrations: Record<string, Migration>): Promise<string[]> {
  const migrator = new Migrator({
    db,
    ...(schema === undefined ? {} : { migrationTableSchema: schema }),
    provider: { getMigrations: () => Promise.resolve(migrations) },
    migrationTableName: tableName,
    migrationLockTableName: `${tableName}_lock`,
  });
  const result: MigrationResultSet = await migrator.migrateToLatest();
  if (result.error !== undefined) {
    const failed = result.results?.find((step) => step.status === 'Error')?.migrationName ?? 'unknown';
    const reason = result.error instanceof Error ? result.error.message : 'unknown error';
    throw new Error(`Migration "${failed}" of ${tableName} failed: ${reason}`, { cause: result.error });
  }
  return (result.results ?? []).filter((step) => step.status === 'Success').map((step) => step.migrationName);
}
