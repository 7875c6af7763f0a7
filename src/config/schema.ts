import type { JsonWebKey } from 'node:crypto';

import { z } from 'zod';

import { parseDurationSeconds } from './duration.js';
import * as D from './defaults.js';
import { KeyOptionError, resolveKeySet, SIGNING_ALGORITHMS } from './keys.js';

const duration = (defaultSeconds: number) =>
  z
    .union([z.number(), z.string()])
    .default(defaultSeconds)
    .transform((value, context) => {
      const seconds = parseDurationSeconds(value);
      if (seconds === undefined) {
        context.addIssue({ code: 'custom', message: 'expected seconds or a duration such as "90s", "5m", "1h30m" or "7d"' });
        return z.NEVER;
      }
      return seconds;
    });

/** A duration, or null for none. */
const optionalDuration = () =>
  z
    .union([z.number(), z.string()])
    .nullable()
    .default(null)
    .transform((value, context) => {
      if (value === null) return null;
      const seconds = parseDurationSeconds(value);
      if (seconds === undefined || seconds <= 0) {
        context.addIssue({ code: 'custom', message: 'expected null, or seconds or a duration such as "30d" longer than 0' });
        return z.NEVER;
      }
      return seconds;
    });

const wholeNumber = (min: number, defaultValue: number) => z.number().int().min(min).default(defaultValue);

/** Matches an HTTP auth scheme token (RFC 9110 token characters). */
const AUTH_SCHEME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;
/** A `kid` header value: printable ASCII without spaces. */
const KEY_ID = /^[\x21-\x7e]{1,128}$/;
/** Key prefixes of the login throttle in Redis or PostgreSQL. */
const THROTTLE_KEY_PREFIX = /^[A-Za-z0-9_:.-]{1,64}$/;

/** An HMAC secret (text or bytes), a PEM text, or a JWK object. */
const keyInput = z.union([
  z.string().min(1),
  z.instanceof(Uint8Array),
  z.custom<JsonWebKey>(
    (value) => typeof value === 'object' && value !== null && typeof (value as { kty?: unknown }).kty === 'string',
    { message: 'expected an HMAC secret, a PEM text or a JWK object with a "kty" member' },
  ),
]);
const signingAlgorithm = z.enum(SIGNING_ALGORITHMS);

/** SQL identifiers the migrations can quote safely on every supported database. */
const TABLE_PREFIX = /^(?:[a-z_][a-z0-9_]{0,30})?$/;

/**
 * Every plain-value option with its default. Options that are objects or
 * functions (users, store, geolocation, logger, clock) are checked by
 * `createTrustedDevices`.
 */
export const optionsSchema = z
  .object({
    /** HMAC secret, or PEM or JWK private key. Required. */
    signingKey: keyInput,
    /** `kid` of the signing key. Default: its RFC 7638 thumbprint. */
    signingKeyId: z.string().regex(KEY_ID).optional(),
    /** Default: the signing key's type decides (HS256, RS256, ES256 or EdDSA). */
    algorithm: signingAlgorithm.optional(),
    /** Further keys that verify tokens, such as a retired signing key. Default none. */
    verificationKeys: z
      .array(z.object({ key: keyInput, kid: z.string().regex(KEY_ID).optional(), algorithm: signingAlgorithm.optional() }).strict())
      .max(32)
      .default([]),
    accessTokenLifetime: duration(D.DEFAULT_ACCESS_TOKEN_LIFETIME_SECONDS),
    refreshTokenLifetime: duration(D.DEFAULT_REFRESH_TOKEN_LIFETIME_SECONDS),
    leeway: duration(0),
    authHeaderTypes: z.array(z.string().regex(AUTH_SCHEME)).min(1).default([...D.DEFAULT_AUTH_HEADER_TYPES]),
    userIdClaim: z.string().min(1).max(64).default(D.DEFAULT_USER_ID_CLAIM),
    issuer: z.string().min(1).optional(),
    audience: z.string().min(1).optional(),
    rotateRefreshTokens: z.boolean().default(true),
    refreshReuseGraceSeconds: wholeNumber(0, D.DEFAULT_REFRESH_REUSE_GRACE_SECONDS),
    deleteDelayMinutes: wholeNumber(0, D.DEFAULT_DELETE_DELAY_MINUTES),
    updateDelayMinutes: wholeNumber(0, D.DEFAULT_UPDATE_DELAY_MINUTES),
    delayApplies: z.enum(['acting', 'target']).default('acting'),
    allowGlobalDelete: z.boolean().default(true),
    allowGlobalUpdate: z.boolean().default(true),
    defaultCanDeleteOtherDevices: z.boolean().default(true),
    defaultCanUpdateOtherDevices: z.boolean().default(true),
    maxDevicesPerUser: z.number().int().min(1).nullable().default(null),
    detectConcurrentSessions: z.boolean().default(true),
    concurrentSessionWindowSeconds: wholeNumber(1, D.DEFAULT_CONCURRENT_SESSION_WINDOW_SECONDS),
    /** 'alternating' signs a device out when requests keep switching between two addresses; 'ip-change' on any change. */
    concurrentSessionMode: z.enum(['alternating', 'ip-change']).default('alternating'),
    concurrentSessionAlternations: wholeNumber(2, D.DEFAULT_CONCURRENT_SESSION_ALTERNATIONS),
    /** Absolute device lifetime from its creation; null for none. Default null. */
    deviceMaxAge: optionalDuration(),
    loginThrottle: z.boolean().default(true),
    loginAttemptsPerIp: wholeNumber(1, D.DEFAULT_LOGIN_ATTEMPTS_PER_IP),
    loginIpWindowSeconds: wholeNumber(1, D.DEFAULT_LOGIN_IP_WINDOW_SECONDS),
    loginAttemptsPerUsername: wholeNumber(1, D.DEFAULT_LOGIN_ATTEMPTS_PER_USERNAME),
    loginUsernameWindowSeconds: wholeNumber(1, D.DEFAULT_LOGIN_USERNAME_WINDOW_SECONDS),
    loginThrottleKeyPrefix: z.string().regex(THROTTLE_KEY_PREFIX).default(D.DEFAULT_LOGIN_THROTTLE_KEY_PREFIX),
    trustProxy: z.boolean().default(false),
    trustedProxyDepth: wholeNumber(1, D.DEFAULT_TRUSTED_PROXY_DEPTH),
    geolocationCacheSeconds: wholeNumber(0, D.DEFAULT_GEOLOCATION_CACHE_SECONDS),
    geolocationTimeoutMs: wholeNumber(1, D.DEFAULT_GEOLOCATION_TIMEOUT_MS),
    signInHistoryDays: wholeNumber(1, D.DEFAULT_SIGN_IN_HISTORY_DAYS),
    loginFields: z
      .object({
        username: z.string().min(1).max(64).default('username'),
        password: z.string().min(1).max(64).default('password'),
      })
      .strict()
      .default({ username: 'username', password: 'password' }),
    bodyLimitBytes: wholeNumber(256, D.DEFAULT_BODY_LIMIT_BYTES),
    lastSeenWriteIntervalSeconds: wholeNumber(0, D.DEFAULT_LAST_SEEN_WRITE_INTERVAL_SECONDS),
    deviceCacheSeconds: wholeNumber(0, D.DEFAULT_DEVICE_CACHE_SECONDS),
    deviceCacheSize: wholeNumber(1, D.DEFAULT_DEVICE_CACHE_SIZE),
    deviceCacheFallbackSeconds: wholeNumber(0, D.DEFAULT_DEVICE_CACHE_FALLBACK_SECONDS),
    userCacheSeconds: wholeNumber(0, D.DEFAULT_USER_CACHE_SECONDS),
    tablePrefix: z.string().regex(TABLE_PREFIX).default(''),
  })
  .strict()
  .transform((options, context) => {
    try {
      return { ...options, keys: resolveKeySet(options) };
    } catch (error) {
      if (!(error instanceof KeyOptionError)) throw error;
      context.addIssue({ code: 'custom', path: error.path, message: error.message, params: { fix: error.fix } });
      return z.NEVER;
    }
  });

export type PlainOptionsInput = z.input<typeof optionsSchema>;
export type ResolvedConfig = z.output<typeof optionsSchema>;

/** How to fix each option, shown after the problem zod found. */
export const OPTION_FIXES: Partial<Record<keyof PlainOptionsInput, string>> = {
  signingKey: `pass an HMAC secret of at least ${D.MIN_HMAC_KEY_BYTES} bytes, for example from \`openssl rand -base64 48\``,
  algorithm: `use one of ${SIGNING_ALGORITHMS.join(', ')} matching the signing key, or leave it out`,
  signingKeyId: 'use up to 128 printable ASCII characters without spaces',
  verificationKeys: 'pass a list of { key, kid?, algorithm? } objects whose key is an HMAC secret, a PEM text or a JWK',
  concurrentSessionMode: 'use "alternating" (the default) or "ip-change"',
  concurrentSessionAlternations: 'pass a whole number of at least 2; 3 means A, B, A, B',
  deviceMaxAge: 'pass null, or a lifetime such as 2592000 or "30d"',
  loginThrottleKeyPrefix: 'use 1 to 64 letters, digits, "_", ":", "." or "-"',
  accessTokenLifetime: 'pass seconds or a duration such as "5m"',
  refreshTokenLifetime: 'pass seconds or a duration such as "1d"',
  leeway: 'pass seconds or a duration such as "30s"',
  authHeaderTypes: 'pass a non-empty list of auth schemes such as ["Bearer"]',
  maxDevicesPerUser: 'pass a whole number of at least 1, or null for no limit',
  delayApplies: 'use "acting" (the default) or "target"',
  tablePrefix: 'use lowercase letters, digits and underscores, starting with a letter or underscore, at most 31 characters',
  trustedProxyDepth: 'pass the number of proxies in front of the server that append to X-Forwarded-For (1 or more)',
};
