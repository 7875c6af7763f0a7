import { sql, type Kysely, type Migration } from 'kysely';

import { caseSensitiveOnMysql } from './mysql-collation.js';

/** Lengths: a UUID is 36 characters, an IPv6 address with a zone id fits in 64. */
export function deviceMigrations(prefix: string): Record<string, Migration> {
  const table = `${prefix}trusted_devices`;
  return {
    '0001_create_trusted_devices': {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable(table)
          .$call(caseSensitiveOnMysql(db))
          .addColumn('device_uid', 'varchar(36)', (column) => column.primaryKey())
          .addColumn('user_id', 'varchar(255)', (column) => column.notNull())
          .addColumn('name', 'varchar(255)', (column) => column.notNull())
          .addColumn('user_agent', 'varchar(1024)', (column) => column.notNull())
          .addColumn('ip_address', 'varchar(64)', (column) => column.notNull())
          .addColumn('last_ip', 'varchar(64)', (column) => column.notNull())
          .addColumn('country', 'varchar(100)', (column) => column.notNull().defaultTo(''))
          .addColumn('region', 'varchar(100)', (column) => column.notNull().defaultTo(''))
          .addColumn('city', 'varchar(100)', (column) => column.notNull().defaultTo(''))
          .addColumn('last_seen', 'bigint', (column) => column.notNull())
          .addColumn('created_at', 'bigint', (column) => column.notNull())
          .addColumn('can_update_other_devices', 'boolean', (column) => column.notNull())
          .addColumn('can_delete_other_devices', 'boolean', (column) => column.notNull())
          .addColumn('refresh_jti', 'varchar(64)', (column) => column.notNull())
          .addColumn('previous_refresh_jti', 'varchar(64)')
          .addColumn('refresh_issued_at', 'bigint', (column) => column.notNull())
          .execute();
        await db.schema.createIndex(`${table}_user_last_seen`).on(table).columns(['user_id', 'last_seen']).execute();
        await db.schema.createIndex(`${table}_last_seen`).on(table).column('last_seen').execute();
      },
      async down(db: Kysely<unknown>) {
        await db.schema.dropTable(table).execute();
      },
    },
  };
}

export function userMigrations(prefix: string): Record<string, Migration> {
  const table = `${prefix}users`;
  return {
    '0001_create_users': {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable(table)
          .$call(caseSensitiveOnMysql(db))
          .addColumn('id', 'varchar(36)', (column) => column.primaryKey())
          .addColumn('username', 'varchar(150)', (column) => column.notNull().unique())
          .addColumn('password_hash', 'varchar(255)', (column) => column.notNull())
          .addColumn('is_active', 'boolean', (column) => column.notNull().defaultTo(sql`true`))
          .addColumn('created_at', 'bigint', (column) => column.notNull())
          .execute();
      },
      async down(db: Kysely<unknown>) {
        await db.schema.dropTable(table).execute();
      },
    },
  };
}
