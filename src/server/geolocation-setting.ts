import { resolve } from 'node:path';

import type { GeoProvider, Logger } from '../contracts.js';
import { ipapi } from '../geo/ipapi.js';
import { mmdb } from '../geo/mmdb.js';

export const GEOLOCATION_ENV = 'TRUSTED_DEVICES_GEOLOCATION';

/**
 * Reads `TRUSTED_DEVICES_GEOLOCATION`: `none` (the default: no lookups),
 * `ipapi` (the ipapi.co web API), or `mmdb:<path>` (a MaxMind-format
 * database file, relative to the working folder). Throws an `Error` naming
 * the variable and the accepted forms for anything else, or a `TypeError`
 * when the database cannot be opened.
 */
export function geolocationFromEnv(env: NodeJS.ProcessEnv, logger: Logger): GeoProvider | false {
  const raw = (env[GEOLOCATION_ENV] ?? '').trim();
  if (raw === '' || raw === 'none') return false;
  if (raw === 'ipapi') return ipapi();
  if (raw.startsWith('mmdb:') && raw.length > 'mmdb:'.length) return mmdb(resolve(raw.slice('mmdb:'.length)), { logger });
  throw new Error(
    `Invalid environment variable ${GEOLOCATION_ENV}=${JSON.stringify(raw.slice(0, 60))}: expected none, ipapi, or mmdb:<path of a .mmdb file>.`,
  );
}
