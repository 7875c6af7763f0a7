import { randomUUID } from 'node:crypto';

import { StoreUnavailableError, TrustedDevicesError } from '../errors.js';
import { deviceNameFromUserAgent, USER_AGENT_MAX_LENGTH } from '../net/device-name.js';
import type { DeviceRecord } from '../store/types.js';
import { newJti } from '../tokens/claims.js';
import type { ClientInfo, ServiceContext } from './context.js';
import { isKnownLocation } from '../geo/location.js';
import type { LocateResult } from '../geo/geo-locator.js';
import { runInBackground } from './background-tasks.js';
import { forgetDevices } from './device-lookup.js';
import { locateWithinBudget, type LocationLookupStatus } from './geolocation.js';
import { newSignIn, recordRejectedSignIn } from './sign-in-history.js';
import { detectNewCountry } from './suspicious-login.js';

export interface LoginResult {
  access: string;
  refresh: string;
  deviceUid: string;
  device: DeviceRecord;
  /** The outcome of the location lookup. `pending` means the login returned without waiting for it. */
  locationLookup: LocationLookupStatus;
}

/**
 * Checks credentials and creates a device. The attempt counts against the
 * login throttle before the password is checked. On success the user's
 * stale devices are removed, with `maxDevicesPerUser` the least recently
 * seen ones evicted, and the sign-in appended to the history, all in one
 * transaction.
 *
 * The login waits for the location at most `geolocationTimeoutMs`. A lookup
 * that takes longer fills in the device and the history entry when it
 * finishes, and only then can `suspiciousLogin` be emitted.
 */
export async function login(context: ServiceContext, username: string, password: string, client: ClientInfo): Promise<LoginResult> {
  await context.loginThrottle?.consume(client.ip, username);

  let user;
  try {
    user = await context.users.verifyCredentials(username, password);
  } catch (error) {
    if (error instanceof TrustedDevicesError) throw error;
    throw new StoreUnavailableError(error);
  }
  if (user === null || !user.isActive) {
    recordRejectedSignIn(context, username, user, client);
    throw new TrustedDevicesError('no_active_account', 'No active account found with the given credentials.');
  }
  await context.loginThrottle?.recordSuccess(username);

  const lookup = await locateWithinBudget(context, client.ip);
  const location = lookup.location;
  const now = context.clock();
  const issuedAt = Math.floor(now / 1000);
  const userAgent = client.userAgent.slice(0, USER_AGENT_MAX_LENGTH);
  const device: DeviceRecord = {
    deviceUid: randomUUID(),
    userId: user.id,
    name: deviceNameFromUserAgent(userAgent),
    userAgent,
    ipAddress: client.ip,
    lastIp: client.ip,
    country: location.country ?? '',
    region: location.region ?? '',
    city: location.city ?? '',
    lastSeen: now,
    createdAt: now,
    canUpdateOtherDevices: context.config.defaultCanUpdateOtherDevices,
    canDeleteOtherDevices: context.config.defaultCanDeleteOtherDevices,
    refreshJti: newJti(),
    previousRefreshJti: null,
    refreshIssuedAt: issuedAt * 1000,
  };

  const signIn = newSignIn(context, { userId: user.id, deviceUid: device.deviceUid, outcome: 'success', client, location, now });
  const removed = await context.store.createDevice(device, {
    maxDevicesPerUser: context.config.maxDevicesPerUser,
    staleBefore: now - context.config.refreshTokenLifetime * 1000,
    signIn,
  });
  context.userCache.set(user.id, user, now);
  await forgetDevices(context, [...removed.stale, ...removed.evicted], now);

  await context.events.emit('deviceCreated', { device });
  await context.events.emitRevoked(removed.stale, 'stale');
  await context.events.emitRevoked(removed.evicted, 'evicted');
  if (lookup.completion !== undefined) {
    const completion = lookup.completion;
    runInBackground(context, 'filling in a late location', () => fillInLateLocation(context, device, signIn.record.id, completion));
  } else {
    try {
      await detectNewCountry(context, device, signIn.record.id);
    } catch (error) {
      // The device exists and the tokens are valid: a failed check must not fail the login.
      context.logger.error({ err: error, deviceUid: device.deviceUid }, 'checking the sign-in country failed');
    }
  }

  const pair = context.tokens.mintPair({ userId: user.id, deviceUid: device.deviceUid, refreshJti: device.refreshJti, issuedAt });
  return { ...pair, deviceUid: device.deviceUid, device, locationLookup: lookup.status };
}

/** Writes a location that arrived after the login returned, then checks the country. */
async function fillInLateLocation(context: ServiceContext, device: DeviceRecord, signInId: string, completion: Promise<LocateResult>): Promise<void> {
  const { location } = await completion;
  if (!isKnownLocation(location)) return;

  await context.store.setLocation(device.deviceUid, location);
  await context.store.setSignInLocation(signInId, location);
  // The next request reads the located device from the store.
  context.deviceCache.delete(device.deviceUid);

  const located: DeviceRecord = { ...device, country: location.country ?? '', region: location.region ?? '', city: location.city ?? '' };
  await detectNewCountry(context, located, signInId);
}
