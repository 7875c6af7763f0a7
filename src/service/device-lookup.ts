import type { User } from '../contracts.js';
import type { DeviceRecord } from '../store/types.js';
import type { ServiceContext } from './context.js';

/** Reads a device through the per-process cache; absent devices are cached too. */
export async function lookupDevice(context: ServiceContext, deviceUid: string, now: number): Promise<DeviceRecord | undefined> {
  const cached = context.deviceCache.get(deviceUid, now);
  if (cached !== undefined) return cached.value.device;

  const device = await context.store.findDevice(deviceUid);
  context.deviceCache.set(deviceUid, { device, persistedLastSeen: device?.lastSeen ?? 0 }, now);
  return device;
}

/** Marks devices as gone in this process at once, so their tokens fail on the next request. */
export function forgetDevices(context: ServiceContext, devices: readonly DeviceRecord[], now: number): void {
  for (const device of devices) {
    context.deviceCache.delete(device.deviceUid);
    context.deviceCache.set(device.deviceUid, { device: undefined, persistedLastSeen: 0 }, now);
  }
}

/** Reads a user through the cache, or fresh from the user adapter when `fresh`. */
export async function lookupUser(context: ServiceContext, userId: string, now: number, fresh: boolean): Promise<User | null> {
  if (!fresh) {
    const cached = context.userCache.get(userId, now);
    if (cached !== undefined) return cached.value;
  }
  const user = await context.users.findById(userId);
  if (user === null) context.userCache.delete(userId);
  else context.userCache.set(userId, user, now);
  return user;
}
