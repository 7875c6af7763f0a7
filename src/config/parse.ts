import { MIN_HMAC_KEY_BYTES } from './defaults.js';
import { OPTION_FIXES, optionsSchema, type PlainOptionsInput, type ResolvedConfig } from './schema.js';

/**
 * Validates and defaults the plain options once, at start-up. Throws a
 * `TypeError` naming the first bad option, the value received and the fix.
 * The caller's object is never modified.
 */
export function parseOptions(input: PlainOptionsInput): ResolvedConfig {
  const result = optionsSchema.safeParse(input);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const path = issue.path.map(String);
    const option = path.join('.') || '(options)';
    const received = describeValue(path[0] === 'signingKey' ? '[redacted]' : readPath(input, path));
    const fix = OPTION_FIXES[path[0] as keyof PlainOptionsInput];
    throw new TypeError(
      `Invalid option "${option}": ${issue.message} (received ${received}).${fix === undefined ? '' : ` Fix: ${fix}.`}`,
    );
  }

  const config = result.data;
  const keyBytes = typeof config.signingKey === 'string' ? Buffer.byteLength(config.signingKey) : config.signingKey.byteLength;
  if (keyBytes < MIN_HMAC_KEY_BYTES) {
    throw new TypeError(
      `Invalid option "signingKey": the key has ${keyBytes} bytes. Fix: ${OPTION_FIXES.signingKey}.`,
    );
  }
  if (config.accessTokenLifetime <= 0 || config.refreshTokenLifetime <= 0) {
    throw new TypeError('Invalid option "accessTokenLifetime" or "refreshTokenLifetime": a lifetime must be longer than 0 seconds.');
  }
  return config;
}

function readPath(input: unknown, path: string[]): unknown {
  let value = input;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
  if (typeof value === 'function') return 'a function';
  try {
    const text = JSON.stringify(value);
    return text.length > 80 ? `${text.slice(0, 80)}…` : text;
  } catch {
    return typeof value;
  }
}
