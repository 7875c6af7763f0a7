import { createHash } from 'node:crypto';

import ipaddr from 'ipaddr.js';
import type { Redis } from 'ioredis';
import type { Pool } from 'pg';
import {
  RateLimiterMemory,
  RateLimiterPostgres,
  RateLimiterRedis,
  RateLimiterRes,
  type RateLimiterAbstract,
} from 'rate-limiter-flexible';

import type { ResolvedConfig } from '../config/schema.js';
import { TrustedDevicesError } from '../errors.js';

/**
 * The store of the login attempt counts. `'memory'` counts per process, and
 * a Redis client or a PostgreSQL pool shares the counts between instances.
 */
export type LoginThrottleStore = 'memory' | { redis: Redis } | { postgres: Pool; tableName?: string };

type ThrottleSettings = Pick<
  ResolvedConfig,
  | 'loginAttemptsPerIp'
  | 'loginIpWindowSeconds'
  | 'loginAttemptsPerUsername'
  | 'loginUsernameWindowSeconds'
  | 'loginThrottleKeyPrefix'
  | 'tablePrefix'
>;

/**
 * Limits login attempts per client address and per username with
 * rate-limiter-flexible fixed windows. Every attempt counts against both
 * limits before the password is checked, so parallel guesses cannot slip
 * through; a successful login clears the username's count.
 *
 * NOTE: anyone may spend a username's attempts, so a victim can be kept
 * from signing in for up to `loginUsernameWindowSeconds`. The per-address
 * limit is the one that stops guessing; raise the username limit if lockouts
 * hurt more than they protect.
 */
export class LoginThrottle {
  readonly #perIp: RateLimiterAbstract;
  readonly #perUsername: RateLimiterAbstract;

  private constructor(perIp: RateLimiterAbstract, perUsername: RateLimiterAbstract) {
    this.#perIp = perIp;
    this.#perUsername = perUsername;
  }

  /** Builds the two limiters; with PostgreSQL, waits until their table exists. */
  static async create(settings: ThrottleSettings, store: LoginThrottleStore): Promise<LoginThrottle> {
    const prefix = settings.loginThrottleKeyPrefix;
    const ipLimit = { keyPrefix: `${prefix}:ip`, points: settings.loginAttemptsPerIp, duration: settings.loginIpWindowSeconds };
    const usernameLimit = {
      keyPrefix: `${prefix}:user`,
      points: settings.loginAttemptsPerUsername,
      duration: settings.loginUsernameWindowSeconds,
    };
    const limits = [ipLimit, usernameLimit];

    if (store === 'memory') {
      return new LoginThrottle(new RateLimiterMemory(ipLimit), new RateLimiterMemory(usernameLimit));
    }
    if ('redis' in store) {
      const [perIp, perUsername] = limits.map((limit) => new RateLimiterRedis({ ...limit, storeClient: store.redis }));
      return new LoginThrottle(perIp!, perUsername!);
    }

    const tableName = store.tableName ?? `${settings.tablePrefix}trusted_devices_login_throttle`;
    const [perIp, perUsername] = await Promise.all(
      limits.map(
        (limit) =>
          new Promise<RateLimiterAbstract>((resolve, reject) => {
            const limiter: RateLimiterPostgres = new RateLimiterPostgres(
              { ...limit, storeClient: store.postgres, storeType: 'pool', tableName },
              (error?: unknown) => (error === undefined || error === null ? resolve(limiter) : reject(asError(error))),
            );
          }),
      ),
    );
    return new LoginThrottle(perIp!, perUsername!);
  }

  /**
   * Counts one login attempt. Throws `throttled` with `Retry-After` when the
   * address or the username has no attempts left, and `service_unavailable`
   * when a shared store cannot be reached: logins fail closed.
   */
  async consume(ip: string, username: string): Promise<void> {
    await consumeOrThrow(this.#perIp, addressKey(ip), 'this address');
    await consumeOrThrow(this.#perUsername, usernameKey(username), 'this account');
  }

  /** Clears the username's count after a successful login. */
  async recordSuccess(username: string): Promise<void> {
    try {
      await this.#perUsername.delete(usernameKey(username));
    } catch (error) {
      throw storeUnavailable(error);
    }
  }
}

async function consumeOrThrow(limiter: RateLimiterAbstract, key: string, subject: string): Promise<void> {
  try {
    await limiter.consume(key);
  } catch (rejection) {
    if (!(rejection instanceof RateLimiterRes)) throw storeUnavailable(rejection);
    const retryAfterSeconds = Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
    throw new TrustedDevicesError(
      'throttled',
      `Too many login attempts from ${subject}. Try again in ${retryAfterSeconds} seconds.`,
      { headers: { 'retry-after': String(retryAfterSeconds) } },
    );
  }
}

/**
 * IPv6 clients usually control a whole /64, so attempts count per /64; an
 * IPv4 address counts alone.
 */
function addressKey(ip: string): string {
  if (!ipaddr.isValid(ip)) return ip;
  const address = ipaddr.process(ip);
  if (address.kind() === 'ipv4') return address.toString();
  return `${address.toNormalizedString().split(':').slice(0, 4).join(':')}::/64`;
}

/**
 * Usernames are hashed so the shared store never contains them, and compared
 * without case so `Alice` and `alice` share one count.
 */
function usernameKey(username: string): string {
  return createHash('sha256').update(username.normalize('NFKC').toLowerCase()).digest('base64url').slice(0, 32);
}

function storeUnavailable(cause: unknown): TrustedDevicesError {
  return new TrustedDevicesError('service_unavailable', 'The login rate-limit store is unavailable. Try again shortly.', { cause });
}

function asError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}
