import { createSigner, createVerifier } from 'fast-jwt';

import type { ResolvedKey } from '../config/keys.js';
import type { ResolvedConfig } from '../config/schema.js';
import { TrustedDevicesError } from '../errors.js';
import { accessJtiFor, type TokenType, type VerifiedToken } from './claims.js';
import { KeyResolver } from './key-resolver.js';
import { VerifiedPayloadCache } from './verified-payload-cache.js';

/** The inputs from which a refresh token and its access token are minted. */
export interface TokenPairInput {
  userId: string;
  deviceUid: string;
  refreshJti: string;
  /** Seconds since the epoch. Minting twice from the same input yields the same claims. */
  issuedAt: number;
}

export interface TokenPair {
  access: string;
  refresh: string;
}

/**
 * Mints and verifies JWTs in simplejwt's claim format: `token_type`, `exp`,
 * `iat`, `jti`, the user id claim and `device_uid`, plus `iss` and `aud` when
 * configured. The header carries the signing key's `kid`; simplejwt ignores
 * it for HS256, so tokens minted here verify in Django with the same secret.
 */
export class TokenCodec {
  readonly #config: ResolvedConfig;
  readonly #sign: (payload: Record<string, unknown>) => string;
  readonly #keys: KeyResolver<Verifier>;
  readonly #verified = new VerifiedPayloadCache(VERIFY_CACHE_SIZE, MAX_CACHED_TOKEN_LENGTH);

  constructor(config: ResolvedConfig) {
    this.#config = config;
    const signing = config.keys.signing;

    // fast-jwt keeps an `iat` present in the payload, so tokens carry the injected clock's time.
    this.#sign = createSigner({ key: signing.signingMaterial!, algorithm: signing.algorithm, kid: signing.kid });
    this.#keys = new KeyResolver(config.keys.verification, (key) => createKeyVerifier(key, config));
  }

  /** Mints an access and a refresh token for one device. */
  mintPair(input: TokenPairInput): TokenPair {
    return {
      refresh: this.#mint('refresh', input.refreshJti, input),
      access: this.#mint('access', accessJtiFor(input.refreshJti), input),
    };
  }

  /** Mints an access token alone with its own `jti`, for refresh without rotation. */
  mintAccess(input: Omit<TokenPairInput, 'refreshJti'>, jti: string): string {
    return this.#mint('access', jti, input);
  }

  /**
   * Checks the signature with the key the header's `kid` names (or, without
   * a `kid`, with the HS256 keys), then the claims. Throws `token_not_valid`
   * for any defect, with a detail that never contains the token.
   */
  verify(token: string, nowSeconds: number, expectedType?: TokenType): VerifiedToken {
    const payload = this.#verified.get(token) ?? this.#verifySignature(token);

    const verified = readClaims(payload, this.#config.userIdClaim);
    if (verified.expiresAt + this.#config.leeway <= nowSeconds) {
      throw invalidToken('The token has expired.');
    }
    if (expectedType !== undefined && verified.tokenType !== expectedType) {
      throw invalidToken(expectedType === 'access' ? 'The token is not an access token.' : 'The token is not a refresh token.');
    }
    return verified;
  }

  /** Checks the signature, issuer and audience; remembers the payload of a token that passes. */
  #verifySignature(token: string): Record<string, unknown> {
    const verifiers = this.#keys.verifiersFor(token);
    if (verifiers === undefined) throw invalidToken('The token is malformed or names an unknown key.');

    const payload = verifyWithAny(verifiers, token);
    if (payload === undefined) throw invalidToken('The token is malformed or its signature is invalid.');
    this.#verified.set(token, payload);
    return payload;
  }

  #mint(tokenType: TokenType, jti: string, input: Omit<TokenPairInput, 'refreshJti'>): string {
    const config = this.#config;
    const lifetime = tokenType === 'access' ? config.accessTokenLifetime : config.refreshTokenLifetime;
    const payload: Record<string, unknown> = {
      token_type: tokenType,
      exp: input.issuedAt + lifetime,
      iat: input.issuedAt,
      jti,
      [config.userIdClaim]: input.userId,
      device_uid: input.deviceUid,
    };
    if (config.issuer !== undefined) payload.iss = config.issuer;
    if (config.audience !== undefined) payload.aud = config.audience;
    return this.#sign(payload);
  }
}

type Verifier = (token: string) => Record<string, unknown>;

/** Entries in the verified payload cache and in each key's fast-jwt cache. Expiry is still checked on every use. */
const VERIFY_CACHE_SIZE = 10_000;

/**
 * Tokens up to this length enter the `VerifiedPayloadCache`; real access
 * tokens are 250 to 400 characters. Longer ones rely on fast-jwt's cache
 * alone, so the keys of 10,000 entries take at most about 10 MiB.
 */
const MAX_CACHED_TOKEN_LENGTH = 1024;

/**
 * A cached fast-jwt verifier that accepts only the key's own algorithm, so a
 * token cannot pick how its signature is checked (an HS256 token signed with
 * an RSA public key as the secret fails here). Expiry is checked in `verify`
 * against the injected clock, so fast-jwt's own clock is switched off. The
 * cache skips only the signature check, and claims are re-read on every call.
 */
function createKeyVerifier(key: ResolvedKey, config: ResolvedConfig): Verifier {
  return createVerifier({
    key: key.verificationMaterial,
    algorithms: [key.algorithm],
    ignoreExpiration: true,
    ignoreNotBefore: true,
    cache: VERIFY_CACHE_SIZE,
    ...(config.issuer === undefined ? {} : { allowedIss: config.issuer }),
    ...(config.audience === undefined ? {} : { allowedAud: config.audience }),
  });
}

function verifyWithAny(verifiers: readonly Verifier[], token: string): Record<string, unknown> | undefined {
  for (const verifier of verifiers) {
    try {
      return verifier(token);
    } catch {
      // Try the next candidate key; only tokens without a kid have more than one.
    }
  }
  return undefined;
}

function readClaims(payload: Record<string, unknown>, userIdClaim: string): VerifiedToken {
  const { token_type: tokenType, exp, iat, jti, device_uid: deviceUid } = payload;
  const userId = payload[userIdClaim];

  if (tokenType !== 'access' && tokenType !== 'refresh') throw invalidToken('The token has no valid token_type claim.');
  if (typeof exp !== 'number' || !Number.isFinite(exp)) throw invalidToken('The token has no valid exp claim.');
  if (typeof jti !== 'string' || jti === '') throw invalidToken('The token has no jti claim.');
  // simplejwt writes the user id as a string in recent versions and as a number in older ones.
  const userIdText = typeof userId === 'number' && Number.isSafeInteger(userId) ? String(userId) : userId;
  if (typeof userIdText !== 'string' || userIdText === '') throw invalidToken(`The token has no valid ${userIdClaim} claim.`);

  return {
    tokenType,
    userId: userIdText,
    deviceUid: typeof deviceUid === 'string' && deviceUid !== '' ? deviceUid : undefined,
    jti,
    issuedAt: typeof iat === 'number' ? iat : 0,
    expiresAt: exp,
  };
}

function invalidToken(detail: string): TrustedDevicesError {
  return new TrustedDevicesError('token_not_valid', detail);
}
