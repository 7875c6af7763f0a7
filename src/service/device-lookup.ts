import type { User } from '../contracts.js';
import type { DeviceRecord } from '../store/types.js';
import type { ServiceContext } from './context.js';

/** Reads a device through the per-process cache; absent devices are cached too. */
export async function lookupDevice(context: ServiceContext, deviceUid: string, now: number): Promise<DeviceRecord | undefined> {
  const cached = context.deviceCache.get(deviceUid, now);
  if (cached !== undefined) return cached.value.device;

  // A change announced while the read runs may predate what the read returns; such a result is not cached.
  const generation = context.deviceCache.generation;
  const device = await context.store.findDevice(deviceUid);
  context.deviceCache.setIfUnchanged(deviceUid, { device, persistedLastSeen: device?.lastSeen ?? 0 }, now, generation);
  return device;
}

/**
 * Marks devices as gone in this process at once, so their tokens fail on the
 * next request, and notifies the other instances.
 */
export async function forgetDevices(context: ServiceContext, devices: readonly DeviceRecord[], now: number): Promise<void> {
  if (devices.length === 0) return;
  for (const device of devices) {
    context.deviceCache.delete(device.deviceUid);
    context.deviceCache.set(device.deviceUid, { device: undefined, persistedLastSeen: 0 }, now);
  }
  await publishDeviceChanges(context, devices.map((device) => device.deviceUid));
}

/** Drops a changed device from this process's cache and notifies the other instances. */
export async function invalidateDevice(context: ServiceContext, deviceUid: string): Promise<void> {
  context.deviceCache.delete(deviceUid);
  await publishDeviceChanges(context, [deviceUid]);
}

/**
 * Publishes device ids on the notification channel, when there is one. A
 * failure is logged, not thrown: the change is already stored, and other
 * instances stop trusting their caches when their own channel drops.
 */
export async function publishDeviceChanges(context: ServiceContext, deviceUids: string[]): Promise<void> {
  if (context.notifier === undefined) return;
  try {
    await context.notifier.publish(deviceUids);
  } catch (error) {
    // NOTE: when only this publish fails and the other instances stay subscribed, they keep the device until their entries expire (deviceCacheSeconds).
    context.logger.warn(
      { err: error instanceof Error ? error.message : error, channel: context.notifier.name, devices: deviceUids.length },
      'could not publish device changes to other instances',
    );
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
