import type { GeoLocation } from '../contracts.js';
import type { LocateResult, LocateStatus } from '../geo/geo-locator.js';
import type { ServiceContext } from './context.js';

/**
 * How the location lookup of a login went: a `LocateStatus`, `disabled`
 * when geolocation is off, or `pending` when the lookup outlasted
 * `geolocationTimeoutMs`, so the login returned without waiting for it.
 */
export type LocationLookupStatus = LocateStatus | 'disabled' | 'pending';

export interface LocationLookup {
  status: LocationLookupStatus;
  /** `{}` unless the status is `located` or `cached`. */
  location: GeoLocation;
  /** Set when `pending`: settles once the provider returns or gives up. Never rejects. */
  completion?: Promise<LocateResult>;
}

/**
 * Looks up where a login comes from, waiting at most `geolocationTimeoutMs`.
 * A lookup that takes longer is not cancelled: it goes on in the background,
 * and its result is returned in `completion` so the caller can fill in the
 * location later. Never rejects: a failed lookup is an unknown location.
 */
export async function locateWithinBudget(context: ServiceContext, ip: string): Promise<LocationLookup> {
  const locator = context.geolocation;
  if (locator === undefined) return { status: 'disabled', location: {} };

  const completion = locator.locate(ip);
  let timer: NodeJS.Timeout | undefined;
  const budget = new Promise<'pending'>((resolve) => {
    timer = setTimeout(() => resolve('pending'), context.config.geolocationTimeoutMs);
  });
  try {
    const first = await Promise.race([completion, budget]);
    if (first === 'pending') return { status: 'pending', location: {}, completion };
    return { status: first.status, location: first.location };
  } finally {
    clearTimeout(timer);
  }
}
