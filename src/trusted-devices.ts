import type { JsonWebKey } from 'node:crypto';

import type { Kysely } from 'kysely';

import { parseOptions } from './config/parse.js';
import type { PlainOptionsInput, ResolvedConfig } from './config/schema.js';
import type { Clock, GeoProvider, Logger, UserAdapter } from './contracts.js';
import { GeoLocator } from './geo/geo-locator.js';
import { ipapi } from './geo/ipapi.js';
import { authenticate, type AuthContext } from './service/authenticate.js';
import { settleBackgroundTasks } from './service/background-tasks.js';
import { cleanupStaleDevices, type CleanupOptions, type CleanupResult } from './service/cleanup.js';
import type { CachedDevice, ClientInfo, ServiceContext } from './service/context.js';
import {
  deleteDevice,
  listDevices,
  logout,
  revokeAllDevices,
  revokeDevice,
  revokeOtherDevices,
  updateDevice,
  type DeviceView,
} from './service/device-management.js';
import { TrustedDevicesEventEmitter, type EventHandler, type TrustedDevicesEventName } from './service/events.js';
import type { AddressAlternation } from './service/hijack-detection.js';
import { LoginThrottle, type LoginThrottleStore } from './service/login-throttle.js';
import { login, type LoginResult } from './service/login.js';
import { refresh, verify, type RefreshResult } from './service/refresh.js';
import { listSignIns, type SignInPage, type SignInPageRequest } from './service/sign-in-history.js';
import { followDeviceChanges } from './service/device-cache-sync.js';
import { KyselyStore } from './store/kysely-store.js';
import { migrateToLatest } from './store/migrate.js';
import { openDatabase, type DatabaseConnectionOptions, type DatabaseSource, type OpenedDatabase } from './store/open-database.js';
import { selectNotifier, type NotificationsChoice } from './store/select-notifier.js';
import { TtlCache } from './store/ttl-cache.js';
import type { DevicePatch, DeviceRecord, Store } from './store/types.js';
import { publicJwks } from './tokens/jwks.js';
import { TokenCodec } from './tokens/token-codec.js';

/** Options of `createTrustedDevices`: the plain settings plus the pieces a host plugs in. */
export interface TrustedDevicesOptions extends PlainOptionsInput {
  /** The host's user system. */
  users: UserAdapter;
  /**
   * The device store. Pass exactly one of `database` and `store` (a `Store`
   * of your own). `database` is a URL (`postgres://…`, `mysql://…`,
   * `sqlite:path`), a SQLite file path (`:memory:` for a throwaway
   * database), a Kysely instance, or a pg or mysql2 pool. Instances and
   * pools you pass stay yours to close.
   */
  database?: DatabaseSource;
  /** Pool size (default 10) and connect and query timeouts (default 5 s and 10 s) of a `database` URL. */
  databaseOptions?: Omit<DatabaseConnectionOptions, 'logger'>;
  store?: Store;
  /**
   * The channel on which instances announce revoked and changed devices, so
   * their device caches drop them: `'postgres'` (LISTEN/NOTIFY on the database),
   * a `redis://` URL (pub/sub), a `DeviceChangeNotifier`, or `false` for a
   * single instance. Default: `'postgres'` when `database` is a PostgreSQL
   * URL or pg pool, otherwise `false`. Without a channel another instance's
   * revocation takes effect there when its cache entry expires
   * (`deviceCacheSeconds`).
   */
  notifications?: NotificationsChoice;
  /** Create or update the tables at start-up. Default true; turn off when migrations run from the CLI. */
  migrate?: boolean;
  /**
   * The geolocation provider: one such as `ipapi()` or `mmdb(path)` from
   * `trusted-devices/geo`, any async `(ip) => ({ country?, region?, city? })`,
   * or `false` for no lookups. Default `ipapi()`, the ipapi.co web API.
   * Private and reserved addresses are never looked up.
   */
  geolocation?: GeoProvider | false;
  /** A pino-compatible logger. Default: silent. */
  logger?: Logger;
  /** Milliseconds since the epoch. Default `Date.now`; tests pass a controllable clock. */
  clock?: Clock;
  /**
   * The store of login attempt counts when `loginThrottle` is on. Default
   * `'memory'`, which counts per process. Pass `{ redis }` (an ioredis
   * client) or `{ postgres }` (a pg Pool) so that several instances share
   * the counts. The host owns the client and closes it.
   */
  loginThrottleStore?: LoginThrottleStore;
}

const SILENT_LOGGER: Logger = { debug() {}, info() {}, warn() {}, error() {} };

/** Trusted device management over one store. Created by `createTrustedDevices`. */
export class TrustedDevices {
  readonly config: ResolvedConfig;
  readonly store: Store;
  readonly #context: ServiceContext;

  /** @internal Use `createTrustedDevices`. */
  constructor(context: ServiceContext) {
    this.#context = context;
    this.config = context.config;
    this.store = context.store;
  }

  get logger(): Logger {
    return this.#context.logger;
  }

  /** Subscribes to an event. Returns a function that unsubscribes. */
  on<K extends TrustedDevicesEventName>(event: K, handler: EventHandler<K>): () => void {
    return this.#context.events.on(event, handler);
  }

  off<K extends TrustedDevicesEventName>(event: K, handler: EventHandler<K>): void {
    this.#context.events.off(event, handler);
  }

  login(username: string, password: string, client: ClientInfo): Promise<LoginResult> {
    return login(this.#context, username, password, client);
  }

  refresh(refreshToken: string, client: ClientInfo): Promise<RefreshResult> {
    return refresh(this.#context, refreshToken, client);
  }

  verify(token: string): Promise<void> {
    return verify(this.#context, token);
  }

  /** Authenticates a request by its `Authorization` header value. */
  authenticate(authorization: string | undefined, client: ClientInfo): Promise<AuthContext> {
    return authenticate(this.#context, authorization, client);
  }

  listDevices(auth: AuthContext): Promise<DeviceView[]> {
    return listDevices(this.#context, auth);
  }

  updateDevice(auth: AuthContext, deviceUid: string, patch: DevicePatch): Promise<DeviceRecord> {
    return updateDevice(this.#context, auth, deviceUid, patch);
  }

  deleteDevice(auth: AuthContext, deviceUid: string): Promise<void> {
    return deleteDevice(this.#context, auth, deviceUid);
  }

  logout(auth: AuthContext): Promise<void> {
    return logout(this.#context, auth);
  }

  /** Signs out the user's other devices. Returns how many were removed. */
  revokeOtherDevices(auth: AuthContext): Promise<number> {
    return revokeOtherDevices(this.#context, auth);
  }

  /** Signs out one device of a user, as an operator. Returns false when the user has no such device. */
  revokeDevice(userId: string, deviceUid: string): Promise<boolean> {
    return revokeDevice(this.#context, userId, deviceUid);
  }

  /** Signs out every device of a user, such as after a password change. Returns how many were removed. */
  revokeAllDevices(userId: string): Promise<number> {
    return revokeAllDevices(this.#context, userId);
  }

  /**
   * Returns one page of a user's sign-in history, newest first: successful
   * and rejected sign-ins, kept `signInHistoryDays` even after their devices
   * are gone. Throws `invalid` for a bad `limit` or `cursor`.
   */
  listSignIns(userId: string, request?: SignInPageRequest): Promise<SignInPage> {
    return listSignIns(this.#context, userId, request);
  }

  /** Removes a user's whole sign-in history, such as when the user is deleted. Returns how many entries were removed. */
  deleteSignInHistory(userId: string): Promise<number> {
    return this.store.deleteUserSignIns(userId);
  }

  /** Waits for work that outlived its request, such as location lookups that finished after their login returned. */
  settleBackgroundTasks(): Promise<void> {
    return settleBackgroundTasks(this.#context);
  }

  /** Builds the JWKS document of the public verification keys, which is empty with HMAC keys only. */
  jwks(): { keys: JsonWebKey[] } {
    return publicJwks(this.config.keys);
  }

  cleanupStaleDevices(options?: CleanupOptions): Promise<CleanupResult> {
    return cleanupStaleDevices(this.#context, options);
  }

  /** Forgets cached state of a user, so a deactivation takes effect on the next request. */
  forgetUser(userId: string): void {
    this.#context.userCache.delete(userId);
  }

  /** Waits for background work (bounded by the lookup timeout), closes the notification channel, then the store. */
  async close(): Promise<void> {
    await settleBackgroundTasks(this.#context);
    this.#context.deviceCache.clear();
    await this.#context.notifier?.close();
    await this.store.close();
  }
}

/**
 * Validates the options, opens the store, runs migrations and returns the
 * instance. A bad option throws a `TypeError` naming it, its value and the fix.
 */
export async function createTrustedDevices(options: TrustedDevicesOptions): Promise<TrustedDevices> {
  const { users, database, databaseOptions, store, notifications, migrate, geolocation, logger, clock, loginThrottleStore, ...plain } = options;
  const config = parseOptions(plain);
  assertUserAdapter(users);
  if ((database === undefined) === (store === undefined)) {
    throw new TypeError('Invalid options: pass exactly one of "database" (a URL, SQLite file path, Kysely instance or pool) and "store".');
  }
  if (geolocation !== undefined && geolocation !== false && typeof geolocation !== 'function') {
    throw new TypeError('Invalid option "geolocation": pass a provider function such as ipapi() or mmdb(path), or false.');
  }
  if (clock !== undefined && typeof clock !== 'function') {
    throw new TypeError('Invalid option "clock": pass a function returning milliseconds since the epoch.');
  }
  assertThrottleStore(loginThrottleStore);

  const loginThrottle = config.loginThrottle ? await LoginThrottle.create(config, loginThrottleStore ?? 'memory') : undefined;

  const resolvedLogger = logger ?? SILENT_LOGGER;
  let resolvedStore: Store;
  let opened: OpenedDatabase | undefined;
  if (database !== undefined) {
    const openedDatabase = await openDatabase(database, { ...databaseOptions, logger: resolvedLogger });
    try {
      if (migrate !== false) await migrateToLatest(openedDatabase.db as Kysely<unknown>, { tablePrefix: config.tablePrefix });
    } catch (error) {
      await openedDatabase.close();
      throw error;
    }
    resolvedStore = new KyselyStore(openedDatabase.db, openedDatabase.capabilities, { tablePrefix: config.tablePrefix, onClose: () => openedDatabase.close() });
    opened = openedDatabase;
  } else {
    resolvedStore = store!;
  }

  const resolvedClock = clock ?? Date.now;
  const provider = geolocation ?? ipapi();
  const notifier = selectNotifier(notifications, opened, config.tablePrefix, resolvedLogger);
  const context: ServiceContext = {
    config,
    store: resolvedStore,
    users,
    tokens: new TokenCodec(config),
    deviceCache: new TtlCache<CachedDevice>(config.deviceCacheSeconds * 1000, config.deviceCacheSize),
    userCache: new TtlCache(config.userCacheSeconds * 1000, config.deviceCacheSize),
    addressAlternations: new TtlCache<AddressAlternation>(config.concurrentSessionWindowSeconds * 1000, config.deviceCacheSize),
    loginThrottle,
    events: new TrustedDevicesEventEmitter(resolvedLogger),
    clock: resolvedClock,
    logger: resolvedLogger,
    geolocation:
      provider === false
        ? undefined
        : new GeoLocator(provider, { cacheTtlMs: config.geolocationCacheSeconds * 1000, clock: resolvedClock, logger: resolvedLogger }),
    backgroundTasks: new Set(),
    notifier,
  };
  if (notifier !== undefined) await notifier.start(followDeviceChanges(context));
  return new TrustedDevices(context);
}

function assertThrottleStore(store: unknown): asserts store is LoginThrottleStore | undefined {
  if (store === undefined || store === 'memory') return;
  const candidate = store as { redis?: unknown; postgres?: unknown };
  if (typeof candidate === 'object' && candidate !== null && (isObject(candidate.redis) || isObject(candidate.postgres))) return;
  throw new TypeError(
    'Invalid option "loginThrottleStore": pass "memory", { redis: <ioredis client> } or { postgres: <pg Pool> }.',
  );
}

function isObject(value: unknown): boolean {
  return typeof value === 'object' && value !== null;
}

function assertUserAdapter(users: unknown): asserts users is UserAdapter {
  const candidate = users as Partial<UserAdapter> | undefined;
  if (typeof candidate?.verifyCredentials !== 'function' || typeof candidate.findById !== 'function') {
    throw new TypeError('Invalid option "users": pass an object with verifyCredentials(username, password) and findById(id) methods.');
  }
}
