import type { User } from '../contracts.js';
import { StoreUnavailableError, TrustedDevicesError } from '../errors.js';
import type { DeviceRecord } from '../store/types.js';
import type { VerifiedToken } from '../tokens/claims.js';
import type { ClientInfo, ServiceContext } from './context.js';
import { forgetDevices, lookupUser } from './device-lookup.js';
import { detectConcurrentUse } from './hijack-detection.js';

/** Returns the token's `device_uid`, or throws `device_uid_missing`. */
export function requireDeviceUid(token: VerifiedToken): string {
  if (token.deviceUid === undefined) {
    throw new TrustedDevicesError('device_uid_missing', 'The token has no device_uid claim. Sign in again to get a device-bound token.');
  }
  return token.deviceUid;
}

/** Throws `device_not_recognized` unless the device exists and belongs to the token's user. */
export function requireOwnedDevice(device: DeviceRecord | undefined, token: VerifiedToken): DeviceRecord {
  if (device === undefined || device.userId !== token.userId) {
    throw new TrustedDevicesError('device_not_recognized', 'This device is no longer signed in. Sign in again.');
  }
  return device;
}

/** Throws `inactive_account` unless the user exists and is active. */
export async function requireActiveUser(context: ServiceContext, userId: string, now: number, fresh: boolean): Promise<User> {
  let user;
  try {
    user = await lookupUser(context, userId, now, fresh);
  } catch (error) {
    if (error instanceof TrustedDevicesError) throw error;
    throw new StoreUnavailableError(error);
  }
  if (user === null || !user.isActive) {
    throw new TrustedDevicesError('inactive_account', 'The user account is inactive or no longer exists.');
  }
  return user;
}

/**
 * Removes the device and throws `token_not_valid` once it is older than
 * `deviceMaxAge`, counted from its creation. Rotation renews the refresh
 * token's expiry, so without this cap a device that refreshes in time would
 * stay signed in forever.
 */
export async function rejectExpiredDevice(context: ServiceContext, device: DeviceRecord, now: number): Promise<void> {
  const maxAge = context.config.deviceMaxAge;
  if (maxAge === null || now - device.createdAt < maxAge * 1000) return;

  const removed = await context.store.deleteDevice(device.userId, device.deviceUid);
  await forgetDevices(context, [device], now);
  if (removed !== undefined) await context.events.emitRevoked([removed], 'expired');
  throw new TrustedDevicesError('token_not_valid', 'This device has reached its maximum session age and was signed out. Sign in again.');
}

/**
 * Revokes the device and throws `device_compromised` when the request looks
 * like a second party using its tokens.
 */
export async function rejectConcurrentUse(
  context: ServiceContext,
  device: DeviceRecord,
  client: ClientInfo,
  now: number,
  detectedOn: 'request' | 'refresh',
): Promise<void> {
  const use = detectConcurrentUse(device, client.ip, now, context.config, context.addressAlternations);
  if (use === undefined) return;

  const removed = await context.store.deleteDevice(device.userId, device.deviceUid);
  await forgetDevices(context, [device], now);
  context.addressAlternations.delete(device.deviceUid);
  context.logger.warn({ deviceUid: device.deviceUid, userId: device.userId, ...use }, 'device revoked: concurrent use from two addresses');
  if (removed !== undefined) {
    await context.events.emit('deviceCompromised', { device: removed, ...use, detectedOn });
    await context.events.emitRevoked([removed], 'compromised');
  }
  throw new TrustedDevicesError('device_compromised', 'This device was used from two addresses at once and has been signed out. Sign in again.');
}
