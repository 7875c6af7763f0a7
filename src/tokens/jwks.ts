import type { JsonWebKey } from 'node:crypto';

import type { KeySet } from '../config/keys.js';

/** The only JWK members published: public parameters and metadata, never `d`, `p`, `q` or an HMAC `k`. */
const PUBLIC_MEMBERS = ['kty', 'kid', 'alg', 'use', 'n', 'e', 'crv', 'x', 'y'] as const;

/**
 * Builds the JWKS document (RFC 7517) of every asymmetric key that verifies
 * tokens, so other services can check access tokens themselves. HMAC keys are
 * left out: publishing one would let anyone mint tokens.
 */
export function publicJwks(keys: KeySet): { keys: JsonWebKey[] } {
  const published: JsonWebKey[] = [];
  for (const key of keys.verification) {
    if (key.publicJwk === undefined) continue;
    const jwk: Record<string, unknown> = {};
    for (const member of PUBLIC_MEMBERS) {
      const value = key.publicJwk[member];
      if (value !== undefined) jwk[member] = value;
    }
    published.push(jwk);
  }
  return { keys: published };
}
