import { TrustedDevicesError } from '../errors.js';
import type { DeviceRecord } from '../store/types.js';
import { newJti, type VerifiedToken } from '../tokens/claims.js';
import type { ClientInfo, ServiceContext } from './context.js';
import { rejectConcurrentUse, rejectExpiredDevice, requireActiveUser, requireDeviceUid, requireOwnedDevice } from './device-checks.js';
import { forgetDevices, invalidateDevice, lookupDevice } from './device-lookup.js';

export interface RefreshResult {
  access: string;
  /** Present when refresh tokens rotate. */
  refresh?: string;
}

/**
 * Exchanges a refresh token for a new access token and, with rotation, a new
 * refresh token. The device row keeps the one refresh `jti` that may be used
 * next; a compare-and-set lets only one of two racing refreshes rotate.
 *
 * The refresh that lost the race, or a retry with the replaced token within
 * `refreshReuseGraceSeconds`, gets the current pair again. The pair is
 * minted anew from the stored `jti` and issue time, so it carries the same
 * claims. With HS256, RS256 and EdDSA it has the same bytes too, but ES256
 * signatures are randomised. Any other rotated-out token is reuse, and the
 * device is revoked.
 */
export async function refresh(context: ServiceContext, rawToken: string, client: ClientInfo): Promise<RefreshResult> {
  const now = context.clock();
  const token = context.tokens.verify(rawToken, Math.floor(now / 1000), 'refresh');
  const deviceUid = requireDeviceUid(token);
  let device = requireOwnedDevice(await context.store.findDevice(deviceUid), token);
  await rejectExpiredDevice(context, device, now);
  await requireActiveUser(context, token.userId, now, true);
  await rejectConcurrentUse(context, withLatestActivity(context, device, now), client, now, 'refresh');

  if (!context.config.rotateRefreshTokens) {
    if (token.jti !== device.refreshJti) return reuseDetected(context, device, token, now);
    await context.store.recordActivity(device.deviceUid, now, client.ip);
    await forgetActivity(context, device, client.ip);
    return { access: context.tokens.mintAccess({ userId: device.userId, deviceUid, issuedAt: Math.floor(now / 1000) }, newJti()) };
  }

  if (token.jti === device.refreshJti) {
    const rotation = {
      expectedJti: token.jti,
      newJti: newJti(),
      // Whole seconds, because the tokens' `iat` is in seconds and the pair is re-minted from this value.
      issuedAt: Math.floor(now / 1000) * 1000,
      lastSeen: now,
      lastIp: client.ip,
    };
    const rotated = await context.store.rotateRefreshJti(deviceUid, rotation);
    await forgetActivity(context, device, client.ip);
    if (rotated) {
      // The UPDATE was the compare-and-set, so the new row is known without reading it back.
      return currentPair(context, {
        ...device,
        refreshJti: rotation.newJti,
        previousRefreshJti: rotation.expectedJti,
        refreshIssuedAt: rotation.issuedAt,
      });
    }

    // Another refresh with the same token rotated first, so treat this one as within the grace window.
    device = requireOwnedDevice(await context.store.findDevice(deviceUid), token);
  }

  if (token.jti === device.previousRefreshJti && withinGraceWindow(context, device, now)) {
    return currentPair(context, device);
  }
  return reuseDetected(context, device, token, now);
}

/**
 * Verifies any token as simplejwt's verify endpoint does, plus the device
 * checks. A refresh token that was rotated out is rejected with
 * `token_blacklisted`, and nothing is revoked.
 */
export async function verify(context: ServiceContext, rawToken: string): Promise<void> {
  const now = context.clock();
  const token = context.tokens.verify(rawToken, Math.floor(now / 1000));
  const deviceUid = requireDeviceUid(token);
  // A refresh token is compared with the stored jti, which another instance may have rotated since this one cached the row.
  const found = token.tokenType === 'refresh' ? await context.store.findDevice(deviceUid) : await lookupDevice(context, deviceUid, now);
  const device = requireOwnedDevice(found, token);
  await rejectExpiredDevice(context, device, now);
  // An access token is checked as a protected request checks it, through the
  // user cache; a refresh token, like refresh itself, reads the user fresh.
  await requireActiveUser(context, token.userId, now, token.tokenType === 'refresh');

  if (token.tokenType === 'refresh' && token.jti !== device.refreshJti) {
    throw new TrustedDevicesError('token_blacklisted', 'The token has been blacklisted.');
  }
}

/**
 * Checks that the replaced token came back soon enough to be a second tab or
 * a retry. Counts whole seconds from the rotation, so the window is between
 * `refreshReuseGraceSeconds` and one second longer.
 */
function withinGraceWindow(context: ServiceContext, device: DeviceRecord, now: number): boolean {
  const elapsedSeconds = Math.floor(now / 1000) - Math.floor(device.refreshIssuedAt / 1000);
  return elapsedSeconds <= context.config.refreshReuseGraceSeconds;
}

/**
 * Returns the device with this process's newest `last_seen`, which the store
 * lags by up to `lastSeenWriteIntervalSeconds` because request writes are
 * coalesced.
 *
 * NOTE: a request whose `last_seen` is neither written nor cached here any
 * more (served by another instance, or cached longer ago than
 * `deviceCacheSeconds`) is not seen, so the refresh window then starts up to
 * `lastSeenWriteIntervalSeconds` too early.
 */
function withLatestActivity(context: ServiceContext, device: DeviceRecord, now: number): DeviceRecord {
  const cached = context.deviceCache.get(device.deviceUid, now)?.value.device;
  if (cached === undefined || cached.lastSeen <= device.lastSeen) return device;
  return { ...device, lastSeen: cached.lastSeen, lastIp: cached.lastIp };
}

/**
 * Drops the device from this process's cache after a refresh wrote to it. A
 * new address is announced to the other instances too, so their hijack
 * detection compares against it; the new refresh `jti` needs no
 * announcement because verify reads the row fresh for a refresh token.
 */
async function forgetActivity(context: ServiceContext, device: DeviceRecord, ip: string): Promise<void> {
  if (device.lastIp !== ip) await invalidateDevice(context, device.deviceUid);
  else context.deviceCache.delete(device.deviceUid);
}

function currentPair(context: ServiceContext, device: DeviceRecord): RefreshResult {
  return context.tokens.mintPair({
    userId: device.userId,
    deviceUid: device.deviceUid,
    refreshJti: device.refreshJti,
    issuedAt: Math.floor(device.refreshIssuedAt / 1000),
  });
}

/** Revokes the device of a rotated-out refresh token presented after the grace window, because its tokens were stolen. */
async function reuseDetected(context: ServiceContext, device: DeviceRecord, token: VerifiedToken, now: number): Promise<never> {
  const removed = await context.store.deleteDevice(device.userId, device.deviceUid);
  await forgetDevices(context, [device], now);
  context.logger.warn({ deviceUid: device.deviceUid, userId: device.userId, jti: token.jti }, 'device revoked: rotated-out refresh token reused');
  // Only the request whose delete removed the row reports it, so racing reuses emit once.
  if (removed !== undefined) {
    await context.events.emit('refreshTokenReused', { device: removed, jti: token.jti });
    await context.events.emitRevoked([removed], 'refresh-token-reused');
  }
  throw new TrustedDevicesError('device_compromised', 'A refresh token was used after it had been replaced, so this device has been signed out. Sign in again.');
}
