import type { PlainOptionsInput } from '../config/schema.js';

type EnvKind = 'boolean' | 'integer' | 'integer-or-none' | 'duration' | 'duration-or-none' | 'string' | 'list' | 'choice' | 'json';

/**
 * Options the standalone server reads from the environment. Each variable is
 * `TRUSTED_DEVICES_` plus the option's name in upper snake case, such as
 * `TRUSTED_DEVICES_DELETE_DELAY_MINUTES` for `deleteDelayMinutes`.
 */
export const ENV_OPTIONS = {
  algorithm: 'choice',
  signingKeyId: 'string',
  verificationKeys: 'json',
  accessTokenLifetime: 'duration',
  refreshTokenLifetime: 'duration',
  leeway: 'duration',
  authHeaderTypes: 'list',
  userIdClaim: 'string',
  issuer: 'string',
  audience: 'string',
  rotateRefreshTokens: 'boolean',
  refreshReuseGraceSeconds: 'integer',
  deleteDelayMinutes: 'integer',
  updateDelayMinutes: 'integer',
  delayApplies: 'choice',
  allowGlobalDelete: 'boolean',
  allowGlobalUpdate: 'boolean',
  defaultCanDeleteOtherDevices: 'boolean',
  defaultCanUpdateOtherDevices: 'boolean',
  maxDevicesPerUser: 'integer-or-none',
  detectConcurrentSessions: 'boolean',
  concurrentSessionWindowSeconds: 'integer',
  concurrentSessionMode: 'choice',
  concurrentSessionAlternations: 'integer',
  deviceMaxAge: 'duration-or-none',
  loginThrottle: 'boolean',
  loginAttemptsPerIp: 'integer',
  loginIpWindowSeconds: 'integer',
  loginAttemptsPerUsername: 'integer',
  loginUsernameWindowSeconds: 'integer',
  loginThrottleKeyPrefix: 'string',
  trustProxy: 'boolean',
  trustedProxyDepth: 'integer',
  geolocationCacheSeconds: 'integer',
  geolocationTimeoutMs: 'integer',
  signInHistoryDays: 'integer',
  bodyLimitBytes: 'integer',
  lastSeenWriteIntervalSeconds: 'integer',
  deviceCacheSeconds: 'integer',
  deviceCacheSize: 'integer',
  deviceCacheFallbackSeconds: 'integer',
  userCacheSeconds: 'integer',
  tablePrefix: 'string',
} as const satisfies Partial<Record<keyof PlainOptionsInput, EnvKind>>;

export const ENV_PREFIX = 'TRUSTED_DEVICES_';

export function envName(option: string): string {
  return ENV_PREFIX + option.replace(/[A-Z]/g, (letter) => `_${letter}`).toUpperCase();
}

/**
 * Reads every set option variable. Throws an `Error` naming the variable,
 * its value and the expected form when one cannot be converted; the options
 * schema then checks ranges.
 */
export function readEnvOptions(env: NodeJS.ProcessEnv): Partial<PlainOptionsInput> {
  const options: Record<string, unknown> = {};
  for (const [option, kind] of Object.entries(ENV_OPTIONS) as [string, EnvKind][]) {
    const name = envName(option);
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    options[option] = convert(name, raw.trim(), kind);
  }
  return options;
}

function convert(name: string, raw: string, kind: EnvKind): unknown {
  switch (kind) {
    case 'boolean': {
      const lower = raw.toLowerCase();
      if (['1', 'true', 'yes', 'on'].includes(lower)) return true;
      if (['0', 'false', 'no', 'off'].includes(lower)) return false;
      throw envError(name, raw, 'true or false');
    }
    case 'integer':
      if (!/^\d+$/.test(raw)) throw envError(name, raw, 'a whole number');
      return Number(raw);
    case 'integer-or-none':
      if (raw.toLowerCase() === 'none') return null;
      if (!/^\d+$/.test(raw)) throw envError(name, raw, 'a whole number, or "none"');
      return Number(raw);
    case 'duration':
      return /^\d+$/.test(raw) ? Number(raw) : raw;
    case 'duration-or-none':
      if (raw.toLowerCase() === 'none') return null;
      return /^\d+$/.test(raw) ? Number(raw) : raw;
    case 'json':
      try {
        return JSON.parse(raw) as unknown;
      } catch {
        // The value may hold key material, so it is not echoed.
        throw new Error(`Invalid environment variable ${name}: expected JSON, such as [{"key": "-----BEGIN PUBLIC KEY-----\\n…", "kid": "2025-01"}].`);
      }
    case 'list':
      return raw.split(',').map((item) => item.trim()).filter((item) => item !== '');
    case 'choice':
    case 'string':
      return raw;
  }
}

function envError(name: string, raw: string, expected: string): Error {
  return new Error(`Invalid environment variable ${name}=${JSON.stringify(raw.slice(0, 60))}: expected ${expected}.`);
}
