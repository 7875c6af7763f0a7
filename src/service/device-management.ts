import { TrustedDevicesError } from '../errors.js';
import type { DevicePatch, DeviceRecord } from '../store/types.js';
import type { AuthContext } from './authenticate.js';
import type { ServiceContext } from './context.js';
import { forgetDevices, invalidateDevice } from './device-lookup.js';
import { assertDelayPassed, assertMayModify, assertMayModifyOthers, assertNoEscalation, delayMs } from './device-rules.js';

/** A device as the user sees it, with whether it is the one making the request. */
export interface DeviceView extends DeviceRecord {
  isCurrent: boolean;
}

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Lists the user's devices, most recently seen first, with this process's newer activity merged in. */
export async function listDevices(context: ServiceContext, auth: AuthContext): Promise<DeviceView[]> {
  const now = context.clock();
  const devices = await context.store.listDevices(auth.user.id);
  const views = devices.map((device): DeviceView => {
    const cached = context.deviceCache.get(device.deviceUid, now)?.value.device;
    const fresher = cached !== undefined && cached.lastSeen > device.lastSeen ? cached : device;
    return { ...device, lastSeen: fresher.lastSeen, lastIp: fresher.lastIp, isCurrent: device.deviceUid === auth.device.deviceUid };
  });
  return views.sort((a, b) => b.lastSeen - a.lastSeen || b.createdAt - a.createdAt);
}

/** Renames another device or changes its permission flags. */
export async function updateDevice(context: ServiceContext, auth: AuthContext, deviceUid: string, patch: DevicePatch): Promise<DeviceRecord> {
  const now = context.clock();
  const target = await findOwnDevice(context, auth, deviceUid);
  const acting = await readActingDevice(context, auth);
  assertMayModify('update', acting, target, context.config, now);
  assertNoEscalation(acting, patch);

  const updated = await context.store.updateDevice(auth.user.id, target.deviceUid, patch);
  await invalidateDevice(context, target.deviceUid);
  if (updated === undefined) throw notFound();
  return updated;
}

/** Signs out another device. */
export async function deleteDevice(context: ServiceContext, auth: AuthContext, deviceUid: string): Promise<void> {
  const now = context.clock();
  const target = await findOwnDevice(context, auth, deviceUid);
  const acting = await readActingDevice(context, auth);
  assertMayModify('delete', acting, target, context.config, now);

  const removed = await context.store.deleteDevice(auth.user.id, target.deviceUid);
  await forgetDevices(context, [target], now);
  if (removed === undefined) throw notFound();
  await context.events.emitRevoked([removed], 'deleted');
}

/** Signs out the device making the request. */
export async function logout(context: ServiceContext, auth: AuthContext): Promise<void> {
  const now = context.clock();
  const removed = await context.store.deleteDevice(auth.user.id, auth.device.deviceUid);
  await forgetDevices(context, [auth.device], now);
  if (removed !== undefined) await context.events.emitRevoked([removed], 'logout');
}

/**
 * Signs out every other device of the user, under the rules of delete. With
 * `delayApplies: 'target'`, devices younger than the delay are kept.
 */
export async function revokeOtherDevices(context: ServiceContext, auth: AuthContext): Promise<number> {
  const now = context.clock();
  const acting = await readActingDevice(context, auth);
  assertMayModifyOthers('delete', acting, context.config);
  if (context.config.delayApplies === 'acting') assertDelayPassed('delete', acting, context.config, now);

  const removed = await context.store.deleteUserDevices(auth.user.id, {
    exceptDeviceUid: auth.device.deviceUid,
    ...(context.config.delayApplies === 'target' ? { createdBefore: now - delayMs('delete', context.config) + 1 } : {}),
  });
  await forgetDevices(context, removed, now);
  await context.events.emitRevoked(removed, 'revoke-all');
  return removed.length;
}

/** Signs out every device of a user, for hosts to call on a password change or account deletion. */
export async function revokeAllDevices(context: ServiceContext, userId: string): Promise<number> {
  const now = context.clock();
  const removed = await context.store.deleteUserDevices(userId);
  await forgetDevices(context, removed, now);
  context.userCache.delete(userId);
  await context.events.emitRevoked(removed, 'host');
  return removed.length;
}

/** Signs out one device as an operator, bypassing the device rules. */
export async function revokeDevice(context: ServiceContext, userId: string, deviceUid: string): Promise<boolean> {
  const now = context.clock();
  const removed = await context.store.deleteDevice(userId, deviceUid);
  if (removed === undefined) return false;
  await forgetDevices(context, [removed], now);
  await context.events.emitRevoked([removed], 'host');
  return true;
}

/**
 * Reads the acting device from the store, not the request's cached copy, so
 * a permission removed or a sign-out made elsewhere counts before another
 * device is changed. Throws `device_not_verified` when it is gone.
 */
async function readActingDevice(context: ServiceContext, auth: AuthContext): Promise<DeviceRecord> {
  const device = await context.store.findDevice(auth.device.deviceUid);
  if (device === undefined || device.userId !== auth.user.id) {
    throw new TrustedDevicesError('device_not_verified', 'This device could not be verified as signed in. Sign in again.');
  }
  return device;
}

async function findOwnDevice(context: ServiceContext, auth: AuthContext, deviceUid: string): Promise<DeviceRecord> {
  if (!UUID_PATTERN.test(deviceUid)) throw notFound();
  const device = await context.store.findDevice(deviceUid.toLowerCase());
  if (device === undefined || device.userId !== auth.user.id) throw notFound();
  return device;
}

function notFound(): TrustedDevicesError {
  return new TrustedDevicesError('not_found', 'No device with this device_uid belongs to you.');
}
