import { createHmac } from 'node:crypto';

/** The header and claims of a JWT, split without checking the signature. */
export function decodeToken(token: string): { header: Record<string, unknown>; claims: Record<string, unknown> } {
  const [header, claims] = token.split('.');
  return {
    header: JSON.parse(Buffer.from(header!, 'base64url').toString()) as Record<string, unknown>,
    claims: JSON.parse(Buffer.from(claims!, 'base64url').toString()) as Record<string, unknown>,
  };
}

/**
 * Builds a JWT by hand, signed with HMAC of `alg` (HS256, HS384, HS512) or
 * unsigned for `none`, so tests can present tokens the codec must reject.
 */
export function forgeToken(header: Record<string, unknown>, claims: Record<string, unknown>, key: string | Uint8Array): string {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const signingInput = `${encode(header)}.${encode(claims)}`;
  const alg = String(header.alg);
  if (alg === 'none') return `${signingInput}.`;
  const digest = { HS256: 'sha256', HS384: 'sha384', HS512: 'sha512' }[alg];
  if (digest === undefined) throw new Error(`forgeToken cannot sign ${alg}`);
  return `${signingInput}.${createHmac(digest, key).update(signingInput).digest('base64url')}`;
}
