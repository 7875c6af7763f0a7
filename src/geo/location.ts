import type { GeoLocation } from '../contracts.js';

/** Maximum length of a country, region or city, the width of the device columns. */
export const LOCATION_FIELD_MAX_LENGTH = 100;

const FIELDS = ['country', 'region', 'city'] as const;

/**
 * Validates what a provider returned: keeps `country`, `region` and `city`
 * when they are non-empty strings (trimmed, at most 100 characters) and drops
 * every other key. Anything that is not a plain object becomes `{}`, unknown.
 */
export function sanitizeLocation(value: unknown): GeoLocation {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return {};

  const record = value as Record<string, unknown>;
  const location: GeoLocation = {};
  for (const field of FIELDS) {
    const text = record[field];
    if (typeof text !== 'string') continue;
    const trimmed = text.trim().slice(0, LOCATION_FIELD_MAX_LENGTH);
    if (trimmed !== '') location[field] = trimmed;
  }
  return location;
}

/** Returns whether at least one of country, region and city is known. */
export function isKnownLocation(location: GeoLocation): boolean {
  return location.country !== undefined || location.region !== undefined || location.city !== undefined;
}
