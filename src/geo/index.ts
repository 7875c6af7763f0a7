/**
 * Geolocation providers for the `geolocation` option: `ipapi()` (the
 * ipapi.co web API), `mmdb(path)` (an offline MaxMind-format database), or
 * any async function `(ip) => ({ country?, region?, city? })`.
 */
export { ipapi, DEFAULT_IPAPI_BASE_URL, DEFAULT_IPAPI_TIMEOUT_MS, DEFAULT_IPAPI_BACKOFF_MS, type IpapiOptions } from './ipapi.js';
export { mmdb, DEFAULT_MMDB_RELOAD_CHECK_MS, type MmdbOptions } from './mmdb.js';
export { locationFromMmdbRecord, countryName } from './mmdb-record.js';
export { locatableAddress } from './locatable-address.js';
export { sanitizeLocation, isKnownLocation } from './location.js';
export { GeoLookupError, type GeoLookupFailure } from './lookup-error.js';
export { GeoLocator, type GeoLocatorOptions, type LocateResult, type LocateStatus } from './geo-locator.js';
export type { GeoLocation, GeoProvider } from '../contracts.js';
