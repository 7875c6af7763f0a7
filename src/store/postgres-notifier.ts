import { sql, type Kysely } from 'kysely';
import type { Client, ClientConfig } from 'pg';

import type { Logger } from '../contracts.js';
import {
  decodeChangeMessage,
  encodeChangeMessages,
  newOrigin,
  reconnectDelayMs,
  type DeviceChangeListener,
  type DeviceChangeNotifier,
} from './device-notifier.js';

/** How often the listening connection is checked, in milliseconds; a dead TCP connection is otherwise noticed late. */
export const DEFAULT_LISTEN_HEARTBEAT_MS = 5_000;

export interface PostgresNotifierOptions {
  /** Settings of the dedicated listening connection; the pool's settings fit. */
  connection: ClientConfig;
  /** Sends the NOTIFY statements through the store's pool. */
  db: Kysely<any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  /** Default `trusted_devices_changes`; prefix it like the tables when several deployments share a database. */
  channel?: string;
  logger: Logger;
  /** Default `DEFAULT_LISTEN_HEARTBEAT_MS` (5000). */
  heartbeatMs?: number;
}

/**
 * Device changes over PostgreSQL LISTEN/NOTIFY. One dedicated connection
 * listens; NOTIFY goes through the store's pool. A dropped connection is
 * reported to the listener and reopened with exponential backoff.
 */
export class PostgresNotifier implements DeviceChangeNotifier {
  readonly name = 'postgres';
  readonly #options: PostgresNotifierOptions;
  readonly #channel: string;
  readonly #origin = newOrigin();
  #listener: DeviceChangeListener | undefined;
  #client: Client | undefined;
  #connected = false;
  #closed = false;
  #failedAttempts = 0;
  #reconnectTimer: NodeJS.Timeout | undefined;
  #heartbeatTimer: NodeJS.Timeout | undefined;

  constructor(options: PostgresNotifierOptions) {
    this.#options = options;
    this.#channel = options.channel ?? 'trusted_devices_changes';
    if (!/^[a-z_][a-z0-9_]{0,62}$/.test(this.#channel)) {
      throw new TypeError(`Invalid channel "${this.#channel}": use lowercase letters, digits and underscores, at most 63 characters.`);
    }
  }

  async start(listener: DeviceChangeListener): Promise<void> {
    this.#listener = listener;
    await this.#connect();
  }

  async publish(deviceUids: readonly string[]): Promise<void> {
    for (const payload of encodeChangeMessages(this.#origin, deviceUids)) {
      await sql`select pg_notify(${this.#channel}, ${payload})`.execute(this.#options.db);
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#reconnectTimer);
    clearInterval(this.#heartbeatTimer);
    const client = this.#client;
    this.#client = undefined;
    await client?.end().catch(() => undefined);
  }

  async #connect(): Promise<void> {
    if (this.#closed) return;
    const { default: pg } = await import('pg');
    const client = new pg.Client({ ...this.#options.connection, keepAlive: true });
    client.on('error', (error) => this.#lost(client, error));
    client.on('end', () => this.#lost(client, undefined));
    client.on('notification', (message) => {
      if (message.channel !== this.#channel) return;
      const deviceUids = decodeChangeMessage(this.#origin, message.payload);
      if (deviceUids !== undefined && deviceUids.length > 0) this.#listener?.onChange(deviceUids);
    });

    this.#client = client;
    try {
      await client.connect();
      await client.query(`listen "${this.#channel}"`);
    } catch (error) {
      this.#lost(client, error);
      return;
    }
    if (this.#client !== client) return;

    if (this.#failedAttempts > 0) this.#options.logger.info({ channel: this.#channel, attempts: this.#failedAttempts }, 'PostgreSQL notification channel reconnected');
    this.#failedAttempts = 0;
    this.#connected = true;
    this.#heartbeatTimer = setInterval(() => {
      client.query('select 1').catch((error: unknown) => this.#lost(client, error));
    }, this.#options.heartbeatMs ?? DEFAULT_LISTEN_HEARTBEAT_MS);
    this.#heartbeatTimer.unref();
    this.#listener?.onConnectionChange(true);
  }

  /** Handles every way a listening connection can fail, once per connection. */
  #lost(client: Client, error: unknown): void {
    if (this.#client !== client || this.#closed) return;
    this.#client = undefined;
    clearInterval(this.#heartbeatTimer);
    client.end().catch(() => undefined);

    if (this.#connected) {
      this.#connected = false;
      this.#listener?.onConnectionChange(false);
    }
    this.#failedAttempts++;
    const delayMs = reconnectDelayMs(this.#failedAttempts);
    this.#options.logger.warn(
      { err: error instanceof Error ? error.message : error, channel: this.#channel, attempt: this.#failedAttempts, delayMs },
      'PostgreSQL notification channel down; reconnecting',
    );
    this.#reconnectTimer = setTimeout(() => void this.#connect(), delayMs);
    this.#reconnectTimer.unref();
  }
}
