import type { DeviceChangeListener } from '../store/device-notifier.js';
import type { ServiceContext } from './context.js';

/**
 * Keeps this process's device cache in step with the other instances: a
 * device another instance changed is dropped at once. While the channel is
 * down the cache keeps entries only `deviceCacheFallbackSeconds`, so a missed
 * revocation still takes effect within that bound. On every change of state
 * the cache is emptied, because messages sent while it was down are lost.
 */
export function followDeviceChanges(context: ServiceContext): DeviceChangeListener {
  const normalTtlMs = context.config.deviceCacheSeconds * 1000;
  const fallbackTtlMs = Math.min(normalTtlMs, context.config.deviceCacheFallbackSeconds * 1000);
  // Until the first connection succeeds, nothing announces changes yet.
  context.deviceCache.setTtl(fallbackTtlMs);

  return {
    onChange(deviceUids) {
      for (const deviceUid of deviceUids) context.deviceCache.delete(deviceUid);
    },
    onConnectionChange(connected) {
      context.deviceCache.setTtl(connected ? normalTtlMs : fallbackTtlMs);
      context.deviceCache.clear();
      const channel = context.notifier?.name;
      if (connected) context.logger.info({ channel }, 'device notification channel connected; device cache enabled');
      else context.logger.warn({ channel, cacheSeconds: fallbackTtlMs / 1000 }, 'device notification channel down; device cache limited until it returns');
    },
  };
}
