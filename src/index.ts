export { createTrustedDevices, TrustedDevices, type TrustedDevicesOptions } from './trusted-devices.js';
export { TrustedDevicesError, StoreUnavailableError, ERROR_STATUS, type ErrorCode, type FieldErrors } from './errors.js';
export type { Clock, GeoLocation, GeoProvider, Logger, User, UserAdapter } from './contracts.js';
export type { ResolvedConfig, PlainOptionsInput } from './config/schema.js';
export type { AuthContext } from './service/authenticate.js';
export type { ClientInfo } from './service/context.js';
export type { DeviceView } from './service/device-management.js';
export type { CleanupOptions, CleanupResult } from './service/cleanup.js';
export type { LoginResult } from './service/login.js';
export type { LocationLookupStatus } from './service/geolocation.js';
export type { SignInPage, SignInPageRequest } from './service/sign-in-history.js';
export type { LoginThrottleStore } from './service/login-throttle.js';
export type { KeyInput, SigningAlgorithm } from './config/keys.js';
export type { RefreshResult } from './service/refresh.js';
export type { EventHandler, RevokeReason, TrustedDevicesEventName, TrustedDevicesEvents } from './service/events.js';
export type {
  DevicePatch,
  DeviceRecord,
  Store,
  CreateDeviceOptions,
  CreateDeviceResult,
  RefreshRotation,
  NewSignIn,
  SignInCursor,
  SignInOutcome,
  SignInRecord,
} from './store/types.js';
export type { Database } from './store/database-schema.js';
export type { VerifiedToken, TokenType } from './tokens/claims.js';
export { KyselyStore } from './store/kysely-store.js';
export { sqliteCapabilities, type DialectCapabilities } from './store/dialect-capabilities.js';
export { migrateToLatest, type MigrateOptions } from './store/migrate.js';
export { openSqlite } from './store/sqlite.js';
export { SqlUserStore, type StoredUser } from './users/sql-user-store.js';
export { hashPassword, verifyPassword, DEFAULT_SCRYPT_PARAMS, type ScryptParams } from './users/password-hash.js';
export { normalizeIp, resolveClientIp } from './net/client-ip.js';
export { postgresCapabilities } from './store/postgres-capabilities.js';
export { mysqlCapabilities } from './store/mysql-capabilities.js';
export {
  openDatabase,
  DEFAULT_POOL_SIZE,
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_QUERY_TIMEOUT_MS,
  type DatabaseSource,
  type DatabaseConnectionOptions,
  type OpenedDatabase,
} from './store/open-database.js';
export type { DeviceChangeNotifier, DeviceChangeListener } from './store/device-notifier.js';
export { PostgresNotifier, type PostgresNotifierOptions } from './store/postgres-notifier.js';
export { RedisNotifier, type RedisNotifierOptions } from './store/redis-notifier.js';
export type { NotificationsChoice } from './store/select-notifier.js';
