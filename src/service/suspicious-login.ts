import type { DeviceRecord } from '../store/types.js';
import type { ServiceContext } from './context.js';

/**
 * Emits `suspiciousLogin` when a device signed in from a country the user
 * has not signed in from before. Known countries come from the user's
 * successful sign-ins in the history, which outlives signed-out devices,
 * plus the user's other live devices (which may predate the history). No
 * event when the country is unknown, or when nothing is known yet, as for a
 * user's first sign-in.
 */
export async function detectNewCountry(context: ServiceContext, device: DeviceRecord, signInId: string): Promise<void> {
  if (device.country === '') return;

  const [historyCountries, devices] = await Promise.all([
    context.store.listSignInCountries(device.userId, { exceptSignInId: signInId }),
    context.store.listDevices(device.userId),
  ]);
  const known = new Set(historyCountries);
  for (const other of devices) {
    if (other.deviceUid !== device.deviceUid && other.country !== '') known.add(other.country);
  }

  if (known.size === 0 || known.has(device.country)) return;
  await context.events.emit('suspiciousLogin', { device, country: device.country, knownCountries: [...known].sort() });
}
