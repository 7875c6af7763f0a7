import type { ResolvedConfig } from '../config/schema.js';
import { normalizeIp } from '../net/client-ip.js';
import type { TtlCache } from '../store/ttl-cache.js';
import type { DeviceRecord } from '../store/types.js';

/** Recent switches of one device between two addresses, kept in memory only. */
export interface AddressAlternation {
  addresses: readonly [string, string];
  /** When each switch between the two happened, in milliseconds, oldest first. */
  switchTimes: number[];
}

/** The two addresses that one device's tokens came from. */
export interface ConcurrentUse {
  previousIp: string;
  currentIp: string;
}

/**
 * Decides whether a request from `ip` shows a second party using the
 * device's tokens. Addresses are compared parsed, because a stored row may
 * spell one address another way (`::ffff:203.0.113.5` and `203.0.113.5`). A
 * request from the device's last address in the same spelling costs one
 * string comparison.
 *
 * - `'ip-change'` (the rule of django-trusted-devices): any new address
 *   within `concurrentSessionWindowSeconds` of the last request.
 * - `'alternating'` (the default): requests switched between the same two
 *   addresses `concurrentSessionAlternations` times within the window. A
 *   phone moving from Wi-Fi to mobile data switches once and stays; two
 *   parties sharing a token keep switching back.
 *
 * NOTE: the switches are counted per process. Behind a load balancer that
 * spreads one device's requests over several instances, each instance counts
 * only its share of the switches, so detection takes more alternations or
 * misses them. Sticky sessions keep the count exact.
 */
export function detectConcurrentUse(
  device: DeviceRecord,
  ip: string,
  now: number,
  config: ResolvedConfig,
  alternations: TtlCache<AddressAlternation>,
): ConcurrentUse | undefined {
  if (!config.detectConcurrentSessions || device.lastIp === ip) return undefined;
  const previousIp = normalizeIp(device.lastIp) ?? device.lastIp;
  const currentIp = normalizeIp(ip) ?? ip;
  if (previousIp === currentIp) return undefined;

  const use = { previousIp, currentIp };
  const windowMs = config.concurrentSessionWindowSeconds * 1000;
  if (config.concurrentSessionMode === 'ip-change') {
    return now - device.lastSeen < windowMs ? use : undefined;
  }

  const switches = recordSwitch(alternations, device.deviceUid, use, now, windowMs);
  return switches >= config.concurrentSessionAlternations ? use : undefined;
}

/** Records a switch and returns how many switches between the same two addresses fall within the window. */
function recordSwitch(
  alternations: TtlCache<AddressAlternation>,
  deviceUid: string,
  use: ConcurrentUse,
  now: number,
  windowMs: number,
): number {
  const known = alternations.get(deviceUid, now)?.value;
  const samePair =
    known !== undefined && known.addresses.includes(use.previousIp) && known.addresses.includes(use.currentIp);
  const switchTimes = samePair ? known.switchTimes.filter((time) => now - time < windowMs) : [];
  switchTimes.push(now);

  alternations.set(deviceUid, { addresses: [use.previousIp, use.currentIp], switchTimes }, now);
  return switchTimes.length;
}
