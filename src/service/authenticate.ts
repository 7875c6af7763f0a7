import type { User } from '../contracts.js';
import { TrustedDevicesError } from '../errors.js';
import type { DeviceRecord } from '../store/types.js';
import { readBearerToken } from '../tokens/authorization-header.js';
import type { VerifiedToken } from '../tokens/claims.js';
import type { ClientInfo, ServiceContext } from './context.js';
import { rejectConcurrentUse, rejectExpiredDevice, requireActiveUser, requireDeviceUid, requireOwnedDevice } from './device-checks.js';
import { lookupDevice, publishDeviceChanges } from './device-lookup.js';

/** The user and device behind an authenticated request. */
export interface AuthContext {
  user: User;
  device: DeviceRecord;
  token: VerifiedToken;
}

/**
 * Authenticates a request by its `Authorization` header. This is the hot
 * path: with a warm cache it reads nothing, and it writes only when the
 * address changed or `lastSeenWriteIntervalSeconds` passed since the last write.
 */
export async function authenticate(context: ServiceContext, authorization: string | undefined, client: ClientInfo): Promise<AuthContext> {
  const rawToken = readBearerToken(authorization, context.config.authHeaderTypes);
  if (rawToken === undefined) {
    throw new TrustedDevicesError('not_authenticated', 'Authentication credentials were not provided.');
  }

  const now = context.clock();
  const token = context.tokens.verify(rawToken, Math.floor(now / 1000), 'access');
  const deviceUid = requireDeviceUid(token);
  const device = requireOwnedDevice(await lookupDevice(context, deviceUid, now), token);
  await rejectExpiredDevice(context, device, now);
  const user = await requireActiveUser(context, token.userId, now, false);
  await rejectConcurrentUse(context, device, client, now, 'request');

  await recordActivity(context, device, client.ip, now);
  return { user, device, token };
}

/**
 * Updates the device's `last_seen` and `last_ip`. A new address is written at
 * once so other instances see it for hijack detection; otherwise `last_seen`
 * is written at most once per interval, without holding up the request.
 */
async function recordActivity(context: ServiceContext, device: DeviceRecord, ip: string, now: number): Promise<void> {
  const cached = context.deviceCache.get(device.deviceUid, now)?.value;
  const persistedLastSeen = cached?.persistedLastSeen ?? device.lastSeen;
  const ipChanged = device.lastIp !== ip;
  device.lastSeen = now;
  device.lastIp = ip;

  if (ipChanged) {
    await context.store.recordActivity(device.deviceUid, now, ip);
    if (cached !== undefined) cached.persistedLastSeen = now;
    // Other instances reread the device, so their hijack detection compares against the new address.
    await publishDeviceChanges(context, [device.deviceUid]);
    return;
  }
  if (now - persistedLastSeen < context.config.lastSeenWriteIntervalSeconds * 1000) return;

  if (cached !== undefined) cached.persistedLastSeen = now;
  context.store.recordActivity(device.deviceUid, now, ip).catch((error: unknown) => {
    context.logger.warn({ err: error, deviceUid: device.deviceUid }, 'failed to record last_seen');
  });
}

