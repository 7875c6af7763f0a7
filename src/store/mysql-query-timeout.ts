import type { MysqlPool, MysqlPoolConnection } from 'kysely';

/** The part of a mysql2 connection the wrapper calls: the object form of `query` carries a timeout. */
interface Mysql2Connection {
  query(options: { sql: string; timeout: number }, parameters: unknown[], callback?: (error: unknown, result: unknown) => void): unknown;
  release(): void;
  destroy(): void;
}

/**
 * Wraps a mysql2 pool so every statement Kysely sends has a timeout. mysql2
 * has no pool-wide query timeout, and Kysely calls `query(sql, parameters)`,
 * so the wrapper passes the object form `{ sql, timeout }` instead.
 *
 * After a timeout or another fatal error, mysql2 (3.x) closes the connection
 * but would still take it back into the pool on `release()`, and the next
 * query on it would never call back. Such a connection is destroyed instead,
 * which removes it from the pool.
 */
export function withQueryTimeout(pool: MysqlPool, timeoutMs: number): MysqlPool {
  // Kysely keys its connection objects by the raw connection, so each gets one wrapper.
  const wrappers = new WeakMap<object, MysqlPoolConnection>();
  const wrap = (raw: Mysql2Connection): MysqlPoolConnection => {
    let wrapper = wrappers.get(raw);
    if (wrapper === undefined) {
      let broken = false;
      const query = (sql: string, parameters: unknown[], callback?: (error: unknown, result: unknown) => void) => {
        if (callback === undefined) return raw.query({ sql, timeout: timeoutMs }, parameters);
        return raw.query({ sql, timeout: timeoutMs }, parameters, (error, result) => {
          if (isFatal(error)) broken = true;
          callback(error, result);
        });
      };
      wrapper = {
        query: query as MysqlPoolConnection['query'],
        release: () => (broken ? raw.destroy() : raw.release()),
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

function isFatal(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { fatal, code } = error as { fatal?: unknown; code?: unknown };
  return fatal === true || code === 'PROTOCOL_SEQUENCE_TIMEOUT';
}
