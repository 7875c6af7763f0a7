import type { ResolvedConfig } from '../config/schema.js';
import type { Clock, Logger, User, UserAdapter } from '../contracts.js';
import type { GeoLocator } from '../geo/geo-locator.js';
import type { TokenCodec } from '../tokens/token-codec.js';
import type { DeviceChangeNotifier } from '../store/device-notifier.js';
import type { TtlCache } from '../store/ttl-cache.js';
import type { DeviceRecord, Store } from '../store/types.js';
import type { TrustedDevicesEventEmitter } from './events.js';
import type { AddressAlternation } from './hijack-detection.js';
import type { LoginThrottle } from './login-throttle.js';

/** A cached device lookup; an undefined device means the device is gone. */
export interface CachedDevice {
  device: DeviceRecord | undefined;
  /** The `last_seen` value the store holds, to coalesce writes. */
  persistedLastSeen: number;
}

/** Everything the service operations share. Built once by `createTrustedDevices`. */
export interface ServiceContext {
  config: ResolvedConfig;
  store: Store;
  users: UserAdapter;
  tokens: TokenCodec;
  deviceCache: TtlCache<CachedDevice>;
  userCache: TtlCache<User>;
  /** Address switches per device for hijack detection; entries live one detection window. */
  addressAlternations: TtlCache<AddressAlternation>;
  /** Undefined when `loginThrottle` is off. */
  loginThrottle: LoginThrottle | undefined;
  events: TrustedDevicesEventEmitter;
  clock: Clock;
  logger: Logger;
  /** Undefined when geolocation is off. */
  geolocation: GeoLocator | undefined;
  /** Work that outlives the request which started it, such as a late location lookup; `close` waits for it. */
  backgroundTasks: Set<Promise<void>>;
  /** Tells other instances about device changes; undefined for a single instance. */
  notifier: DeviceChangeNotifier | undefined;
}

/** The client side of a request, resolved by the HTTP layer. */
export interface ClientInfo {
  ip: string;
  userAgent: string;
}
