import type { Logger } from '../contracts.js';
import type { DeviceRecord } from '../store/types.js';

/** The cause of a device's removal. */
export type RevokeReason =
  | 'deleted'
  | 'logout'
  | 'revoke-all'
  | 'evicted'
  | 'stale'
  | 'cleanup'
  | 'compromised'
  | 'refresh-token-reused'
  /** Older than `deviceMaxAge`. */
  | 'expired'
  | 'host';

/** Payload of each event, by name. */
export interface TrustedDevicesEvents {
  deviceCreated: { device: DeviceRecord };
  /** Sent once per removed device, on every removal path. */
  deviceRevoked: { device: DeviceRecord; reason: RevokeReason };
  /** A sign-in from a country the user has not signed in from before. */
  suspiciousLogin: { device: DeviceRecord; country: string; knownCountries: string[] };
  /** Two parties appear to use one device's tokens; the device has been revoked. */
  deviceCompromised: { device: DeviceRecord; previousIp: string; currentIp: string; detectedOn: 'request' | 'refresh' };
  /** A rotated-out refresh token was presented after the grace window; the device has been revoked. */
  refreshTokenReused: { device: DeviceRecord; jti: string };
}

export type TrustedDevicesEventName = keyof TrustedDevicesEvents;
export type EventHandler<K extends TrustedDevicesEventName> = (payload: TrustedDevicesEvents[K]) => void | Promise<void>;

/**
 * A typed event emitter whose handlers may be async. `emit` waits for every
 * handler; a handler that throws is logged and does not stop the others or
 * fail the request.
 */
export class TrustedDevicesEventEmitter {
  readonly #handlers: { [K in TrustedDevicesEventName]?: EventHandler<K>[] } = {};
  readonly #logger: Logger;

  constructor(logger: Logger) {
    this.#logger = logger;
  }

  on<K extends TrustedDevicesEventName>(event: K, handler: EventHandler<K>): () => void {
    const list = (this.#handlers[event] ??= []) as EventHandler<K>[];
    list.push(handler);
    return () => this.off(event, handler);
  }

  off<K extends TrustedDevicesEventName>(event: K, handler: EventHandler<K>): void {
    const list = this.#handlers[event];
    if (list === undefined) return;
    const index = list.indexOf(handler);
    if (index !== -1) list.splice(index, 1);
  }

  async emit<K extends TrustedDevicesEventName>(event: K, payload: TrustedDevicesEvents[K]): Promise<void> {
    const list = this.#handlers[event];
    if (list === undefined || list.length === 0) return;
    for (const handler of [...list]) {
      try {
        await handler(payload);
      } catch (error) {
        this.#logger.error({ err: error, event }, 'event handler failed');
      }
    }
  }

  /** Emits `deviceRevoked` once for each device. */
  async emitRevoked(devices: readonly DeviceRecord[], reason: RevokeReason): Promise<void> {
    for (const device of devices) await this.emit('deviceRevoked', { device, reason });
  }
}
