import type { ResolvedConfig } from '../config/schema.js';
import type { DeviceRecord } from '../store/types.js';

/**
 * Returns true when a request from `ip` suggests a second party uses the
 * device's tokens: the address differs from the device's last one and the
 * last request was within `concurrentSessionWindowSeconds`. Addresses are in
 * canonical form (see `normalizeIp`), so equal strings mean equal addresses.
 */
export function isConcurrentUse(device: DeviceRecord, ip: string, now: number, config: ResolvedConfig): boolean {
  if (!config.detectConcurrentSessions) return false;
  if (device.lastIp === ip) return false;
  return now - device.lastSeen < config.concurrentSessionWindowSeconds * 1000;
}
