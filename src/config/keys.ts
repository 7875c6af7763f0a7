import { createHash, createPrivateKey, createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';

import { MIN_HMAC_KEY_BYTES, MIN_RSA_MODULUS_BITS } from './defaults.js';

/** The JWS algorithms a key may be configured for. `none` is never accepted. */
export const SIGNING_ALGORITHMS = ['HS256', 'RS256', 'ES256', 'EdDSA'] as const;
export type SigningAlgorithm = (typeof SIGNING_ALGORITHMS)[number];

/** Key material as options take it: an HMAC secret (text or bytes), a PEM text, or a JWK. */
export type KeyInput = string | Uint8Array | JsonWebKey;

/** One configured key, ready for fast-jwt. */
export interface ResolvedKey {
  kid: string;
  algorithm: SigningAlgorithm;
  /** PEM private key or HMAC secret; undefined for a key that only verifies. */
  signingMaterial: string | Buffer | undefined;
  /** PEM public key or HMAC secret. */
  verificationMaterial: string | Buffer;
  /** The public key for the JWKS document; undefined for HMAC keys, which are never published. */
  publicJwk: JsonWebKey | undefined;
}

/** The signing key and every key that verifies, the signing key first. */
export interface KeySet {
  signing: ResolvedKey;
  verification: ResolvedKey[];
}

/** A key option that cannot be used, with where it is and how to fix it. Never carries key material. */
export class KeyOptionError extends Error {
  constructor(
    readonly path: (string | number)[],
    problem: string,
    readonly fix: string,
  ) {
    super(problem);
    this.name = 'KeyOptionError';
  }
}

interface KeyOptions {
  signingKey: KeyInput;
  signingKeyId?: string | undefined;
  algorithm?: SigningAlgorithm | undefined;
  verificationKeys: { key: KeyInput; kid?: string | undefined; algorithm?: SigningAlgorithm | undefined }[];
}

/**
 * Imports the signing key and the extra verification keys, works out each
 * key's algorithm and `kid`, and checks that no two keys share a `kid`.
 * Throws `KeyOptionError` naming the option.
 */
export function resolveKeySet(options: KeyOptions): KeySet {
  const signing = resolveKey(options.signingKey, { kid: options.signingKeyId, algorithm: options.algorithm }, ['signingKey'], true);
  const verification = [signing];
  options.verificationKeys.forEach((entry, index) => {
    const path = ['verificationKeys', index];
    const key = resolveKey(entry.key, entry, [...path, 'key'], false);
    if (verification.some((other) => other.kid === key.kid)) {
      throw new KeyOptionError(
        path,
        `the kid "${key.kid}" is already used by another key`,
        'give each key its own kid, and list a key only once (the signing key verifies without being listed)',
      );
    }
    verification.push(key);
  });
  return { signing, verification };
}

function resolveKey(
  input: KeyInput,
  settings: { kid?: string | undefined; algorithm?: SigningAlgorithm | undefined },
  path: (string | number)[],
  forSigning: boolean,
): ResolvedKey {
  if (typeof input === 'string' && !isPem(input)) return resolveSecret(Buffer.from(input, 'utf8'), settings, path);
  if (input instanceof Uint8Array) return resolveSecret(Buffer.from(input), settings, path);
  if (typeof input !== 'string' && input.kty === 'oct') {
    const secret = typeof input.k === 'string' ? Buffer.from(input.k, 'base64url') : Buffer.alloc(0);
    return resolveSecret(secret, { kid: settings.kid ?? jwkKid(input), algorithm: settings.algorithm ?? jwkAlgorithm(input, path) }, path);
  }

  const { privateKey, publicKey } = importAsymmetric(input, path);
  if (forSigning && privateKey === undefined) {
    throw new KeyOptionError(
      path,
      'the key is a public key, which cannot sign',
      'pass the private key here; other services get the public key from the JWKS route',
    );
  }

  const detected = asymmetricAlgorithm(publicKey, path);
  const requested = settings.algorithm ?? (typeof input === 'string' ? undefined : jwkAlgorithm(input, path));
  if (requested !== undefined && requested !== detected) {
    throw new KeyOptionError(
      path,
      `the key is for ${detected}, but "${requested}" was configured`,
      `set the algorithm to "${detected}", or pass a key made for ${requested}`,
    );
  }

  const publicJwk = publicKey.export({ format: 'jwk' });
  const kid = settings.kid ?? (typeof input === 'string' ? undefined : jwkKid(input)) ?? thumbprint(publicJwk);
  return {
    kid,
    algorithm: detected,
    signingMaterial: privateKey?.export({ format: 'pem', type: 'pkcs8' }),
    verificationMaterial: publicKey.export({ format: 'pem', type: 'spki' }),
    publicJwk: { ...publicJwk, kid, alg: detected, use: 'sig' },
  };
}

function resolveSecret(
  secret: Buffer,
  settings: { kid?: string | undefined; algorithm?: SigningAlgorithm | undefined },
  path: (string | number)[],
): ResolvedKey {
  if (settings.algorithm !== undefined && settings.algorithm !== 'HS256') {
    throw new KeyOptionError(
      path,
      `the key is an HMAC secret, which cannot be used with "${settings.algorithm}"`,
      `set the algorithm to "HS256", or pass a PEM or JWK private key for ${settings.algorithm}`,
    );
  }
  if (secret.byteLength < MIN_HMAC_KEY_BYTES) {
    throw new KeyOptionError(
      path,
      `the HMAC secret has ${secret.byteLength} bytes, fewer than the ${MIN_HMAC_KEY_BYTES} that HS256 needs`,
      `pass a random secret of at least ${MIN_HMAC_KEY_BYTES} bytes, for example from \`openssl rand -base64 48\``,
    );
  }
  return {
    kid: settings.kid ?? thumbprint({ kty: 'oct', k: secret.toString('base64url') }),
    algorithm: 'HS256',
    signingMaterial: secret,
    verificationMaterial: secret,
    publicJwk: undefined,
  };
}

function importAsymmetric(input: string | JsonWebKey, path: (string | number)[]): { privateKey: KeyObject | undefined; publicKey: KeyObject } {
  const format = typeof input === 'string' ? 'PEM' : 'JWK';
  // Node's parse errors are not passed on: they describe the key's bytes, and the message must not echo key material.
  try {
    const isPrivate = typeof input === 'string' ? /-----BEGIN (?:[A-Z]+ )?PRIVATE KEY-----/.test(input) : typeof input.d === 'string';
    if (isPrivate) {
      const privateKey = typeof input === 'string' ? createPrivateKey(input) : createPrivateKey({ key: input, format: 'jwk' });
      return { privateKey, publicKey: createPublicKey(privateKey) };
    }
    const publicKey = typeof input === 'string' ? createPublicKey(input) : createPublicKey({ key: input, format: 'jwk' });
    return { privateKey: undefined, publicKey };
  } catch {
    throw new KeyOptionError(
      path,
      `the ${format} key could not be read`,
      typeof input === 'string'
        ? 'pass an unencrypted PKCS#8 PEM private key (for example from `openssl genpkey -algorithm ed25519`), or an SPKI PEM public key for verification'
        : 'pass a complete RSA, EC (P-256) or OKP (Ed25519) JWK, or an "oct" JWK for HS256',
    );
  }
}

function asymmetricAlgorithm(key: KeyObject, path: (string | number)[]): SigningAlgorithm {
  const details = key.asymmetricKeyDetails;
  switch (key.asymmetricKeyType) {
    case 'rsa':
      if ((details?.modulusLength ?? 0) < MIN_RSA_MODULUS_BITS) {
        throw new KeyOptionError(path, `the RSA key has ${details?.modulusLength ?? 0} bits`, `use an RSA key of at least ${MIN_RSA_MODULUS_BITS} bits`);
      }
      return 'RS256';
    case 'ec':
      if (details?.namedCurve === 'prime256v1') return 'ES256';
      throw new KeyOptionError(path, `the EC key is on curve ${details?.namedCurve ?? 'unknown'}`, 'use a P-256 (prime256v1) key for ES256');
    case 'ed25519':
      return 'EdDSA';
    default:
      throw new KeyOptionError(
        path,
        `keys of type ${key.asymmetricKeyType ?? 'unknown'} are not supported`,
        'use an RSA (RS256), P-256 (ES256) or Ed25519 (EdDSA) key, or an HMAC secret (HS256)',
      );
  }
}

function jwkAlgorithm(jwk: JsonWebKey, path: (string | number)[]): SigningAlgorithm | undefined {
  const alg = jwk.alg;
  if (alg === undefined) return undefined;
  if (typeof alg === 'string' && (SIGNING_ALGORITHMS as readonly string[]).includes(alg)) return alg as SigningAlgorithm;
  throw new KeyOptionError(path, `the JWK's alg ${JSON.stringify(alg)} is not supported`, `use one of ${SIGNING_ALGORITHMS.join(', ')}, or leave alg out`);
}

function jwkKid(jwk: JsonWebKey): string | undefined {
  return typeof jwk.kid === 'string' && jwk.kid !== '' ? jwk.kid : undefined;
}

function isPem(text: string): boolean {
  return text.trimStart().startsWith('-----BEGIN ');
}

/** Members of each key type that RFC 7638 hashes, in the lexicographic order it requires. */
const THUMBPRINT_MEMBERS: Record<string, string[]> = {
  RSA: ['e', 'kty', 'n'],
  EC: ['crv', 'kty', 'x', 'y'],
  OKP: ['crv', 'kty', 'x'],
  oct: ['k', 'kty'],
};

/** Computes the RFC 7638 SHA-256 thumbprint of a JWK, base64url encoded, which makes a `kid` that changes only with the key. */
export function thumbprint(jwk: JsonWebKey): string {
  const members = THUMBPRINT_MEMBERS[jwk.kty ?? ''] ?? [];
  const canonical = JSON.stringify(Object.fromEntries(members.map((name) => [name, jwk[name]])));
  return createHash('sha256').update(canonical).digest('base64url');
}
