import type { MysqlPool, MysqlPoolConnection } from 'kysely';

/** The part of a mysql2 connection the wrapper calls: the object form of `query` carries a timeout. */
interface Mysql2Connection {
  query(options: { sql: string; timeout: number }, parameters: unknown[], callback?: (error: unknown, result: unknown) => void): unknown;
  release(): void;
}

/**
 * Wraps a mysql2 pool so every statement Kysely sends has a timeout. mysql2
 * has no pool-wide query timeout, and Kysely calls `query(sql, parameters)`,
 * so the wrapper passes the object form `{ sql, timeout }` instead. On a
 * timeout mysql2 fails the query and closes its connection.
 */
export function withQueryTimeout(pool: MysqlPool, timeoutMs: number): MysqlPool {
  // Kysely keys its connection objects by the raw connection, so each gets one wrapper.
  const wrappers = new WeakMap<object, MysqlPoolConnection>();
  const wrap = (raw: Mysql2Connection): MysqlPoolConnection => {
    let wrapper = wrappers.get(raw);
    if (wrapper === undefined) {
      wrapper = {
        query: ((sql: string, parameters: unknown[], callback?: (error: unknown, result: unknown) => void) =>
          raw.query({ sql, timeout: timeoutMs }, parameters, callback)) as MysqlPoolConnection['query'],
        release: () => raw.release(),
      };
      wrappers.set(raw, wrapper);
    }
    return wrapper;
  };

  return {
    getConnection(callback) {
      pool.getConnection((error, connection) => {
        callback(error, error ? connection : wrap(connection as unknown as Mysql2Connection));
      });
    },
    end: (callback) => pool.end(callback),
  };
}
