import { TrustedDevicesError } from '../errors.js';

/**
 * Extracts the token from an `Authorization` header whose scheme is one of
 * `authHeaderTypes`. Schemes match case-sensitively, as in simplejwt.
 *
 * Returns undefined when there is no header or it names another scheme, so
 * the request counts as unauthenticated. Throws `token_not_valid` when the
 * scheme matches but the rest is not exactly one token.
 */
export function readBearerToken(header: string | undefined, authHeaderTypes: readonly string[]): string | undefined {
  if (header === undefined || header === '') return undefined;

  const space = header.indexOf(' ');
  const scheme = space === -1 ? header : header.slice(0, space);
  if (!authHeaderTypes.includes(scheme)) return undefined;

  const token = space === -1 ? '' : header.slice(space + 1);
  if (token.length > MAX_TOKEN_LENGTH) {
    throw new TrustedDevicesError('token_not_valid', `The token is longer than ${MAX_TOKEN_LENGTH} characters. Send the token this API issued.`);
  }
  if (token === '' || token.includes(' ')) {
    throw new TrustedDevicesError(
      'token_not_valid',
      'The Authorization header must contain exactly two space-separated values: the scheme and one token.',
    );
  }
  return token;
}

/** Longer tokens are rejected before any parsing; real ones are a few hundred bytes. */
export const MAX_TOKEN_LENGTH = 8192;
