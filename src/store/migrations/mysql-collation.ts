import { MysqlAdapter, sql, type CreateTableBuilder, type Kysely } from 'kysely';

/**
 * MySQL and MariaDB compare text case-insensitively under their default
 * collations, so user ids "Alice" and "alice" would share devices and
 * usernames would collide. A binary collation compares as PostgreSQL and
 * SQLite do. The other databases get the table unchanged.
 */
export function caseSensitiveOnMysql(db: Kysely<unknown>) {
  const isMysql = db.getExecutor().adapter instanceof MysqlAdapter;
  return <T extends string, C extends string>(builder: CreateTableBuilder<T, C>): CreateTableBuilder<T, C> =>
    isMysql ? builder.modifyEnd(sql`character set utf8mb4 collate utf8mb4_bin`) : builder;
}
