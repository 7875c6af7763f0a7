import type { Redis, RedisOptions } from 'ioredis';

import type { Logger } from '../contracts.js';
import {
  decodeChangeMessage,
  encodeChangeMessages,
  newOrigin,
  reconnectDelayMs,
  type DeviceChangeListener,
  type DeviceChangeNotifier,
} from './device-notifier.js';

/** Maximum time of a publish or of the first connection, in milliseconds. */
const REDIS_TIMEOUT_MS = 2_000;

export interface RedisNotifierOptions {
  /** A `redis://` or `rediss://` URL. */
  url: string;
  /** Default `trusted_devices_changes`. */
  channel?: string;
  logger: Logger;
}

/**
 * Device changes over Redis pub/sub (ioredis). One connection subscribes,
 * another publishes without an offline queue, so a publish during an outage
 * fails at once instead of waiting. ioredis reconnects with the backoff of
 * `reconnectDelayMs`; the subscription is renewed after each reconnection.
 */
export class RedisNotifier implements DeviceChangeNotifier {
  readonly name = 'redis';
  readonly #options: RedisNotifierOptions;
  readonly #channel: string;
  readonly #origin = newOrigin();
  #subscriber: Redis | undefined;
  #publisher: Redis | undefined;
  #connected = false;
  #failedAttempts = 0;

  constructor(options: RedisNotifierOptions) {
    this.#options = options;
    this.#channel = options.channel ?? 'trusted_devices_changes';
  }

  async start(listener: DeviceChangeListener): Promise<void> {
    const { Redis } = await import('ioredis');
    const { logger } = this.#options;
    const common: RedisOptions = {
      connectTimeout: REDIS_TIMEOUT_MS,
      commandTimeout: REDIS_TIMEOUT_MS,
      retryStrategy: (attempt) => reconnectDelayMs(attempt),
      // Messages missed while down are not replayed, so the subscription is renewed by hand below.
      autoResubscribe: false,
      maxRetriesPerRequest: 1,
    };
    const subscriber = new Redis(this.#options.url, { ...common, lazyConnect: true });
    const publisher = new Redis(this.#options.url, { ...common, enableOfflineQueue: false });
    this.#subscriber = subscriber;
    this.#publisher = publisher;

    publisher.on('error', (error: Error) => logger.debug({ err: error.message }, 'Redis publisher connection failed'));
    subscriber.on('error', (error: Error) => logger.debug({ err: error.message }, 'Redis subscriber connection failed'));
    subscriber.on('message', (channel: string, payload: string) => {
      if (channel !== this.#channel) return;
      const deviceUids = decodeChangeMessage(this.#origin, payload);
      if (deviceUids !== undefined && deviceUids.length > 0) listener.onChange(deviceUids);
    });
    subscriber.on('close', () => {
      if (!this.#connected) return;
      this.#connected = false;
      listener.onConnectionChange(false);
    });
    subscriber.on('reconnecting', (delayMs: number) => {
      this.#failedAttempts++;
      logger.warn({ channel: this.#channel, attempt: this.#failedAttempts, delayMs }, 'Redis notification channel down; reconnecting');
    });

    const ready = new Promise<void>((resolve) => {
      subscriber.on('ready', () => {
        subscriber
          .subscribe(this.#channel)
          .then(() => {
            if (this.#failedAttempts > 0) logger.info({ channel: this.#channel, attempts: this.#failedAttempts }, 'Redis notification channel reconnected');
            this.#failedAttempts = 0;
            this.#connected = true;
            listener.onConnectionChange(true);
          })
          .catch((error: unknown) => {
            logger.warn({ err: error instanceof Error ? error.message : error, channel: this.#channel }, 'Redis subscribe failed; reconnecting');
            subscriber.disconnect(true);
          })
          .finally(resolve);
      });
    });
    // A failed first attempt is retried in the background by ioredis.
    const firstAttempt = subscriber.connect().then(() => ready, () => undefined);
    await Promise.race([firstAttempt, new Promise((resolve) => setTimeout(resolve, REDIS_TIMEOUT_MS).unref())]);
  }

  async publish(deviceUids: readonly string[]): Promise<void> {
    if (this.#publisher === undefined) throw new Error('RedisNotifier.publish called before start.');
    for (const payload of encodeChangeMessages(this.#origin, deviceUids)) {
      await this.#publisher.publish(this.#channel, payload);
    }
  }

  async close(): Promise<void> {
    this.#connected = false;
    this.#subscriber?.disconnect();
    this.#publisher?.disconnect();
    return Promise.resolve();
  }
}
