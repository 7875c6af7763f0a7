import { randomUUID } from 'node:crypto';

/** Receives what other instances changed, and the state of the channel. */
export interface DeviceChangeListener {
  /** Devices another instance removed or changed: drop them from the cache. */
  onChange(deviceUids: readonly string[]): void;
  /**
   * The channel connected (true) or dropped (false). Messages sent while it
   * was down are lost, so the cache must not trust entries from that time.
   */
  onConnectionChange(connected: boolean): void;
}

/**
 * Tells other instances which devices changed, so their device caches drop
 * them. Implementations: `PostgresNotifier` (LISTEN/NOTIFY) and
 * `RedisNotifier` (pub/sub). Each reconnects with backoff on its own.
 */
export interface DeviceChangeNotifier {
  /** For logs: "postgres", "redis" or a custom name. */
  readonly name: string;
  /** Connects and subscribes. Resolves after the first attempt, successful or not; later attempts run in the background. */
  start(listener: DeviceChangeListener): Promise<void>;
  /** Sends the device ids to every other instance. Rejects when the channel cannot take the message. */
  publish(deviceUids: readonly string[]): Promise<void>;
  close(): Promise<void>;
}

/** Device ids per message: 100 ids of 36 characters stay well under PostgreSQL's 8000-byte NOTIFY payload limit. */
const DEVICE_UIDS_PER_MESSAGE = 100;

interface ChangeMessage {
  /** Sender, so an instance skips its own messages. */
  origin: string;
  deviceUids: string[];
}

/** Splits device ids into JSON messages of at most `DEVICE_UIDS_PER_MESSAGE` ids. */
export function encodeChangeMessages(origin: string, deviceUids: readonly string[]): string[] {
  const messages: string[] = [];
  for (let start = 0; start < deviceUids.length; start += DEVICE_UIDS_PER_MESSAGE) {
    const message: ChangeMessage = { origin, deviceUids: deviceUids.slice(start, start + DEVICE_UIDS_PER_MESSAGE) };
    messages.push(JSON.stringify(message));
  }
  return messages;
}

/** Returns the device ids of a message from another instance, or undefined for its own or a malformed one. */
export function decodeChangeMessage(origin: string, payload: string | undefined): string[] | undefined {
  if (payload === undefined) return undefined;
  let message: Partial<ChangeMessage>;
  try {
    message = JSON.parse(payload) as Partial<ChangeMessage>;
  } catch {
    return undefined;
  }
  if (message.origin === origin || !Array.isArray(message.deviceUids)) return undefined;
  return message.deviceUids.filter((uid): uid is string => typeof uid === 'string');
}

/** A random id of this process's notifier. */
export function newOrigin(): string {
  return randomUUID();
}

/** First and longest wait between reconnection attempts, in milliseconds. */
export const RECONNECT_MIN_DELAY_MS = 100;
export const RECONNECT_MAX_DELAY_MS = 5_000;

/** Exponential backoff with jitter for reconnection attempt `attempt` (1, 2, …). */
export function reconnectDelayMs(attempt: number): number {
  const ceiling = Math.min(RECONNECT_MAX_DELAY_MS, RECONNECT_MIN_DELAY_MS * 2 ** (attempt - 1));
  return Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
}
