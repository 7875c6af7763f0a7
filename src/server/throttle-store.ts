import type { LoginThrottleStore } from '../service/login-throttle.js';

/** The Redis server of the login throttle unless `TRUSTED_DEVICES_REDIS_URL` is set. */
export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';
/** Maximum wait for Redis at start-up. */
const REDIS_CONNECT_TIMEOUT_MS = 5_000;

export interface OpenedThrottleStore {
  store: LoginThrottleStore;
  close(): Promise<void>;
}

/**
 * Opens the login throttle's store from `TRUSTED_DEVICES_LOGIN_THROTTLE_STORE`:
 * `memory` (the default), `redis` (`TRUSTED_DEVICES_REDIS_URL`, default
 * redis://127.0.0.1:6379) or `postgres` (`TRUSTED_DEVICES_THROTTLE_POSTGRES_URL`).
 * Errors never include a URL, which may hold a password.
 */
export async function openThrottleStore(env: NodeJS.ProcessEnv): Promise<OpenedThrottleStore> {
  const kind = (env.TRUSTED_DEVICES_LOGIN_THROTTLE_STORE ?? 'memory').trim().toLowerCase();
  switch (kind) {
    case '':
    case 'memory':
      return { store: 'memory', close: () => Promise.resolve() };
    case 'redis': {
      // ioredis and pg are optional peer dependencies, loaded only when selected.
      const { Redis } = await import('ioredis');
      // Without the offline queue a lost connection fails logins at once (503) instead of queueing them.
      const client = new Redis(env.TRUSTED_DEVICES_REDIS_URL ?? DEFAULT_REDIS_URL, {
        lazyConnect: true,
        enableOfflineQueue: false,
        maxRetriesPerRequest: 1,
        connectTimeout: REDIS_CONNECT_TIMEOUT_MS,
      });
      try {
        await client.connect();
      } catch {
        client.disconnect();
        throw new Error('Could not connect to Redis for the login throttle: check TRUSTED_DEVICES_REDIS_URL and that Redis is running.');
      }
      return { store: { redis: client }, close: async () => void (await client.quit()) };
    }
    case 'postgres': {
      const url = env.TRUSTED_DEVICES_THROTTLE_POSTGRES_URL;
      if (url === undefined || url === '') {
        throw new Error('TRUSTED_DEVICES_LOGIN_THROTTLE_STORE=postgres needs TRUSTED_DEVICES_THROTTLE_POSTGRES_URL, such as postgres://user@127.0.0.1:5432/app.');
      }
      const { default: pg } = await import('pg');
      const pool = new pg.Pool({ connectionString: url, max: 4 });
      return { store: { postgres: pool }, close: () => pool.end() };
    }
    default:
      throw new Error(`Invalid environment variable TRUSTED_DEVICES_LOGIN_THROTTLE_STORE=${JSON.stringify(kind.slice(0, 20))}: expected memory, redis or postgres.`);
  }
}
