import { TrustedDevicesError } from '../errors.js';
import type { SignInPageRequest } from '../service/sign-in-history.js';

/**
 * Reads `?limit=` and `?cursor=` of the history route, ignoring other
 * parameters. Throws `invalid`, naming the parameter, for a repeated
 * parameter or a limit that is not a whole number. The service checks the
 * range and the cursor itself.
 */
export function signInPageFromQuery(query: Record<string, unknown> | undefined): SignInPageRequest {
  const request: SignInPageRequest = {};
  const limit = singleValue(query, 'limit');
  const cursor = singleValue(query, 'cursor');

  if (limit !== undefined) {
    if (!/^\d{1,9}$/.test(limit)) throw invalidParameter('limit', 'Expected a whole number.');
    request.limit = Number(limit);
  }
  if (cursor !== undefined) request.cursor = cursor;
  return request;
}

function singleValue(query: Record<string, unknown> | undefined, name: string): string | undefined {
  const value = query?.[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw invalidParameter(name, 'Expected a single value.');
  return value;
}

function invalidParameter(name: string, message: string): TrustedDevicesError {
  return new TrustedDevicesError('invalid', `Invalid query parameter "${name}": ${message}`, { fields: { [name]: [message] } });
}
