import type { Kysely, Migration } from 'kysely';

import { caseSensitiveOnMysql } from './mysql-collation.js';

/**
 * The append-only sign-in history. It has no foreign key to the devices
 * table because it must outlive the devices it mentions; `device_uid` is null
 * for a sign-in that created no device (wrong password, inactive account).
 */
export function signInHistoryMigrations(prefix: string): Record<string, Migration> {
  const table = `${prefix}trusted_device_sign_ins`;
  return {
    '0002_create_sign_in_history': {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable(table)
          .$call(caseSensitiveOnMysql(db))
          .addColumn('id', 'varchar(36)', (column) => column.primaryKey())
          .addColumn('user_id', 'varchar(255)', (column) => column.notNull())
          .addColumn('device_uid', 'varchar(36)')
          .addColumn('signed_in_at', 'bigint', (column) => column.notNull())
          .addColumn('outcome', 'varchar(32)', (column) => column.notNull())
          .addColumn('ip_address', 'varchar(64)', (column) => column.notNull())
          .addColumn('country', 'varchar(100)', (column) => column.notNull().defaultTo(''))
          .addColumn('region', 'varchar(100)', (column) => column.notNull().defaultTo(''))
          .addColumn('city', 'varchar(100)', (column) => column.notNull().defaultTo(''))
          .addColumn('user_agent', 'varchar(1024)', (column) => column.notNull())
          .execute();
        await db.schema.createIndex(`${table}_user_signed_in_at`).on(table).columns(['user_id', 'signed_in_at']).execute();
        await db.schema.createIndex(`${table}_signed_in_at`).on(table).column('signed_in_at').execute();
      },
      async down(db: Kysely<unknown>) {
        await db.schema.dropTable(table).execute();
      },
    },
  };
}
