import type { Clock, GeoLocation, GeoProvider, Logger } from '../contracts.js';
import { TtlCache } from '../store/ttl-cache.js';
import { locatableAddress } from './locatable-address.js';
import { isKnownLocation, sanitizeLocation } from './location.js';
import { GeoLookupError } from './lookup-error.js';

/** Maximum time a provider may take before its result counts as unknown, in milliseconds. */
export const DEFAULT_LOOKUP_TIMEOUT_MS = 5000;
/** Addresses kept in the location cache; the oldest insertion goes first. */
export const DEFAULT_LOCATION_CACHE_SIZE = 10_000;

/**
 * How a lookup ended: `located` (the provider returned a location),
 * `cached` (from the cache, no provider call), `unknown` (the provider had no
 * location), `failed` (it threw, timed out or returned a non-object), or
 * `not-locatable` (a private or reserved address, never sent to the provider).
 */
export type LocateStatus = 'located' | 'cached' | 'unknown' | 'failed' | 'not-locatable';

export interface LocateResult {
  status: LocateStatus;
  location: GeoLocation;
}

export interface GeoLocatorOptions {
  /** How long a known location is cached, in milliseconds. 0 turns the cache off. */
  cacheTtlMs: number;
  /** Default 10 000 addresses. */
  cacheSize?: number;
  /** Default 5000 ms. */
  lookupTimeoutMs?: number;
  clock: Clock;
  logger: Logger;
}

/**
 * Wraps a provider with everything a login needs around it: private and
 * reserved addresses are never sent, results are validated, known locations
 * are cached per address, and concurrent lookups of one address share one
 * provider call. `locate` never rejects.
 */
export class GeoLocator {
  readonly #provider: GeoProvider;
  readonly #providerName: string;
  readonly #cache: TtlCache<GeoLocation>;
  readonly #inFlight = new Map<string, Promise<LocateResult>>();
  readonly #lookupTimeoutMs: number;
  readonly #clock: Clock;
  readonly #logger: Logger;
  /** Failure reasons already logged, so an outage logs once instead of once per login. */
  readonly #loggedFailures = new Set<string>();

  constructor(provider: GeoProvider, options: GeoLocatorOptions) {
    this.#provider = provider;
    this.#providerName = provider.name === '' ? 'custom' : provider.name;
    this.#cache = new TtlCache(options.cacheTtlMs, options.cacheSize ?? DEFAULT_LOCATION_CACHE_SIZE);
    this.#lookupTimeoutMs = options.lookupTimeoutMs ?? DEFAULT_LOOKUP_TIMEOUT_MS;
    this.#clock = options.clock;
    this.#logger = options.logger;
  }

  get providerName(): string {
    return this.#providerName;
  }

  locate(ip: string): Promise<LocateResult> {
    const address = locatableAddress(ip);
    if (address === undefined) return Promise.resolve({ status: 'not-locatable', location: {} });

    const cached = this.#cache.get(address, this.#clock());
    if (cached !== undefined) return Promise.resolve({ status: 'cached', location: cached.value });

    const pending = this.#inFlight.get(address);
    if (pending !== undefined) return pending;

    const lookup = this.#lookup(address).finally(() => this.#inFlight.delete(address));
    this.#inFlight.set(address, lookup);
    return lookup;
  }

  async #lookup(address: string): Promise<LocateResult> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(
        () => reject(new GeoLookupError('timeout', `no result within ${this.#lookupTimeoutMs} ms`)),
        this.#lookupTimeoutMs,
      );
    });

    let answer: unknown;
    try {
      answer = await Promise.race([this.#provider(address), timeout]);
    } catch (error) {
      this.#logFailure(error instanceof GeoLookupError ? error.reason : 'error', error);
      return { status: 'failed', location: {} };
    } finally {
      clearTimeout(timer);
    }

    if (answer === null || answer === undefined) return { status: 'unknown', location: {} };
    if (typeof answer !== 'object' || Array.isArray(answer)) {
      this.#logFailure('invalid-result', new TypeError(`expected an object or null, received ${Array.isArray(answer) ? 'an array' : typeof answer}`));
      return { status: 'failed', location: {} };
    }

    const location = sanitizeLocation(answer);
    if (!isKnownLocation(location)) return { status: 'unknown', location };
    this.#cache.set(address, location, this.#clock());
    return { status: 'located', location };
  }

  #logFailure(reason: string, error: unknown): void {
    if (this.#loggedFailures.has(reason)) return;
    this.#loggedFailures.add(reason);
    this.#logger.warn(
      { err: error, provider: this.#providerName, reason },
      'geolocation lookup failed; locations stay unknown while it fails, and this reason is not logged again',
    );
  }
}
