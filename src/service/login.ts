import { randomUUID } from 'node:crypto';

import { StoreUnavailableError, TrustedDevicesError } from '../errors.js';
import { deviceNameFromUserAgent, USER_AGENT_MAX_LENGTH } from '../net/device-name.js';
import type { DeviceRecord } from '../store/types.js';
import { newJti } from '../tokens/claims.js';
import type { ClientInfo, ServiceContext } from './context.js';
import { forgetDevices } from './device-lookup.js';
import { locateWithinBudget } from './geolocation.js';

export interface LoginResult {
  access: string;
  refresh: string;
  deviceUid: string;
  device: DeviceRecord;
}

/**
 * Checks credentials and creates a device: the user's stale devices are
 * removed and, with `maxDevicesPerUser`, the least recently seen ones evicted
 * in the same transaction.
 */
export async function login(context: ServiceContext, username: string, password: string, client: ClientInfo): Promise<LoginResult> {
  let user;
  try {
    user = await context.users.verifyCredentials(username, password);
  } catch (error) {
    if (error instanceof TrustedDevicesError) throw error;
    throw new StoreUnavailableError(error);
  }
  if (user === null || !user.isActive) {
    throw new TrustedDevicesError('no_active_account', 'No active account found with the given credentials.');
  }

  const location = await locateWithinBudget(context, client.ip);
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

  const knownCountries = location.country === undefined ? [] : await countriesOf(context, user.id);
  const removed = await context.store.createDevice(device, {
    maxDevicesPerUser: context.config.maxDevicesPerUser,
    staleBefore: now - context.config.refreshTokenLifetime * 1000,
  });
  context.userCache.set(user.id, user, now);
  forgetDevices(context, [...removed.stale, ...removed.evicted], now);

  await context.events.emit('deviceCreated', { device });
  await context.events.emitRevoked(removed.stale, 'stale');
  await context.events.emitRevoked(removed.evicted, 'evicted');
  if (location.country !== undefined && knownCountries.length > 0 && !knownCountries.includes(location.country)) {
    await context.events.emit('suspiciousLogin', { device, country: location.country, knownCountries });
  }

  const pair = context.tokens.mintPair({ userId: user.id, deviceUid: device.deviceUid, refreshJti: device.refreshJti, issuedAt });
  return { ...pair, deviceUid: device.deviceUid, device };
}

/** Countries of the user's live devices, before this login. */
async function countriesOf(context: ServiceContext, userId: string): Promise<string[]> {
  const devices = await context.store.listDevices(userId);
  return [...new Set(devices.map((device) => device.country).filter((country) => country !== ''))];
}
