import type { Clock, GeoLocation, GeoProvider } from '../contracts.js';
import { GeoLookupError } from './lookup-error.js';

export const DEFAULT_IPAPI_BASE_URL = 'https://ipapi.co';
/** Under a second, so an unresponsive service delays a lookup only briefly. Responses slower than the login's wait still fill in the device later. */
export const DEFAULT_IPAPI_TIMEOUT_MS = 500;
/** Pause after HTTP 429 when the response has no usable `Retry-After`. */
export const DEFAULT_IPAPI_BACKOFF_MS = 5 * 60_000;
/** Maximum pause a `Retry-After` header can impose. */
export const MAX_IPAPI_BACKOFF_MS = 60 * 60_000;
export const DEFAULT_IPAPI_USER_AGENT = 'trusted-devices (+https://www.npmjs.com/package/trusted-devices)';
/** An ipapi.co response is a few hundred bytes, so a far larger body is rejected. */
const MAX_RESPONSE_BYTES = 64 * 1024;

export interface IpapiOptions {
  /** Default `https://ipapi.co`. Requests go to `<baseUrl>/<ip>/json/`. */
  baseUrl?: string;
  /** Default 500 ms. A slower response counts as a failed lookup. */
  timeoutMs?: number;
  /** API key of a paid plan, sent as `?key=`. Default: none, the free tier. */
  key?: string;
  /** Default `trusted-devices (+https://www.npmjs.com/package/trusted-devices)`. */
  userAgent?: string;
  /** Pause after HTTP 429 without `Retry-After`, in milliseconds. Default 5 minutes. */
  backoffMs?: number;
  /** Default `Date.now`. */
  clock?: Clock;
}

interface IpapiBody {
  error?: unknown;
  reason?: unknown;
  reserved?: unknown;
  country_name?: unknown;
  region?: unknown;
  city?: unknown;
}

/**
 * A provider backed by the ipapi.co JSON API. The country is the English
 * country name (`country_name`), as the other built-in providers return it.
 *
 * A reserved-address response (`{"error": true, "reserved": true}`) is an
 * unknown location. HTTP 429 or a `RateLimited` response pauses all requests
 * for `Retry-After` (or `backoffMs`); lookups during the pause fail at once
 * without a request. Other error responses, 5xx statuses, malformed JSON and
 * timeouts throw `GeoLookupError`.
 */
export function ipapi(options: IpapiOptions = {}): GeoProvider {
  const baseUrl = parseBaseUrl(options.baseUrl ?? DEFAULT_IPAPI_BASE_URL);
  const timeoutMs = positiveInteger('timeoutMs', options.timeoutMs ?? DEFAULT_IPAPI_TIMEOUT_MS);
  const backoffMs = positiveInteger('backoffMs', options.backoffMs ?? DEFAULT_IPAPI_BACKOFF_MS);
  const userAgent = options.userAgent ?? DEFAULT_IPAPI_USER_AGENT;
  const clock = options.clock ?? Date.now;
  if (options.key !== undefined && (typeof options.key !== 'string' || options.key === '')) {
    throw new TypeError('Invalid ipapi option "key": pass the API key as a non-empty string, or leave it out for the free tier.');
  }
  let pausedUntil = 0;

  const pause = (retryAfter: string | null): void => {
    pausedUntil = clock() + Math.min(parseRetryAfter(retryAfter, clock()) ?? backoffMs, MAX_IPAPI_BACKOFF_MS);
  };

  const lookup = async (ip: string): Promise<GeoLocation> => {
    if (clock() < pausedUntil) {
      throw new GeoLookupError('backing-off', `ipapi: rate limited, no requests until ${new Date(pausedUntil).toISOString()}`);
    }

    // Colons of IPv6 addresses may stay literal in a path segment (RFC 3986).
    const url = new URL(`${encodeURIComponent(ip).replaceAll('%3A', ':')}/json/`, baseUrl);
    if (options.key !== undefined) url.searchParams.set('key', options.key);
    const { status, retryAfter, text } = await fetchText(url, userAgent, timeoutMs);

    if (status === 429) {
      pause(retryAfter);
      throw new GeoLookupError('rate-limited', 'ipapi: HTTP 429, rate limited');
    }
    if (status < 200 || status > 299) throw new GeoLookupError('http-status', `ipapi: unexpected HTTP status ${status}`);

    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch (error) {
      throw new GeoLookupError('invalid-json', 'ipapi: the response is not valid JSON', { cause: error });
    }
    if (body === null || typeof body !== 'object' || Array.isArray(body)) {
      throw new GeoLookupError('invalid-json', 'ipapi: the response is not a JSON object');
    }
    return toLocation(body, pause, retryAfter);
  };
  return Object.defineProperty(lookup, 'name', { value: 'ipapi' });
}

function toLocation(body: IpapiBody, pause: (retryAfter: string | null) => void, retryAfter: string | null): GeoLocation {
  if (body.error === true) {
    if (body.reserved === true || body.reason === 'Reserved IP Address') return {};
    if (body.reason === 'RateLimited') {
      pause(retryAfter);
      throw new GeoLookupError('rate-limited', 'ipapi: rate limited');
    }
    const reason = typeof body.reason === 'string' ? body.reason.slice(0, 100) : 'no reason given';
    throw new GeoLookupError('error-response', `ipapi: error response (${reason})`);
  }
  return {
    ...(typeof body.country_name === 'string' ? { country: body.country_name } : {}),
    ...(typeof body.region === 'string' ? { region: body.region } : {}),
    ...(typeof body.city === 'string' ? { city: body.city } : {}),
  };
}

/** GETs a URL and reads at most 64 KiB of its body, all within the timeout. */
async function fetchText(url: URL, userAgent: string, timeoutMs: number): Promise<{ status: number; retryAfter: string | null; text: string }> {
  try {
    const response = await fetch(url, {
      headers: { accept: 'application/json', 'user-agent': userAgent },
      redirect: 'error',
      signal: AbortSignal.timeout(timeoutMs),
    });
    const length = Number(response.headers.get('content-length') ?? 0);
    if (length > MAX_RESPONSE_BYTES) {
      await response.body?.cancel();
      throw new GeoLookupError('http-status', `ipapi: response of ${length} bytes is too large`);
    }
    const bytes = Buffer.from(await response.arrayBuffer());
    if (bytes.length > MAX_RESPONSE_BYTES) throw new GeoLookupError('http-status', `ipapi: response of ${bytes.length} bytes is too large`);
    return { status: response.status, retryAfter: response.headers.get('retry-after'), text: bytes.toString('utf8') };
  } catch (error) {
    if (error instanceof GeoLookupError) throw error;
    if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
      throw new GeoLookupError('timeout', `ipapi: timed out after ${timeoutMs} ms`);
    }
    // The message names the failure, never the URL, which may carry the API key.
    const cause = error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error);
    throw new GeoLookupError('http-status', `ipapi: request failed (${cause})`);
  }
}

/** Milliseconds to wait from a `Retry-After` header: delay-seconds or an HTTP date. */
function parseRetryAfter(value: string | null, now: number): number | undefined {
  if (value === null) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function parseBaseUrl(value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new TypeError(`Invalid ipapi option "baseUrl" ${JSON.stringify(value)}: pass an absolute http or https URL such as "https://ipapi.co".`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new TypeError(`Invalid ipapi option "baseUrl" ${JSON.stringify(value)}: use an http or https URL.`);
  }
  // A trailing slash makes relative paths resolve under any path prefix.
  if (!url.pathname.endsWith('/')) url.pathname += '/';
  return url;
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new TypeError(`Invalid ipapi option "${name}" ${String(value)}: pass a whole number of milliseconds, 1 or more.`);
  }
  return value;
}
