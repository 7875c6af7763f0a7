import type { GeoLocation } from '../contracts.js';
import type { ServiceContext } from './context.js';

const UNKNOWN: GeoLocation = {};

/**
 * Looks up a location within the login's time budget. A provider that fails,
 * returns something other than an object, or takes longer than
 * `geolocationTimeoutMs` yields an unknown location: geolocation never fails
 * a login.
 */
export async function locateWithinBudget(context: ServiceContext, ip: string): Promise<GeoLocation> {
  const provider = context.geolocation;
  if (provider === false) return UNKNOWN;

  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<GeoLocation>((resolve) => {
    timer = setTimeout(() => resolve(UNKNOWN), context.config.geolocationTimeoutMs);
  });
  try {
    const result = await Promise.race([provider(ip).then(sanitizeLocation), timeout]);
    return result;
  } catch (error) {
    context.logger.warn({ err: error }, 'geolocation lookup failed');
    return UNKNOWN;
  } finally {
    clearTimeout(timer);
  }
}

/** Keeps only non-empty string fields named country, region and city. */
export function sanitizeLocation(value: unknown): GeoLocation {
  if (value === null || typeof value !== 'object') return UNKNOWN;
  const record = value as Record<string, unknown>;
  const location: GeoLocation = {};
  if (typeof record.country === 'string' && record.country !== '') location.country = record.country;
  if (typeof record.region === 'string' && record.region !== '') location.region = record.region;
  if (typeof record.city === 'string' && record.city !== '') location.city = record.city;
  return location;
}
