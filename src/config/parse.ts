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
    const received = KEY_OPTIONS.has(path[0]!) ? '' : ` (received ${describeValue(readPath(input, path))})`;
    // Key problems carry their own fix, because it depends on what the key turned out to be.
    const keyFix = issue.code === 'custom' ? (issue.params?.fix as string | undefined) : undefined;
    const fix = keyFix ?? OPTION_FIXES[path[0] as keyof PlainOptionsInput];
    throw new TypeError(`Invalid option "${option}": ${issue.message}${received}.${fix === undefined ? '' : ` Fix: ${fix}.`}`);
  }

  const config = result.data;
  if (config.accessTokenLifetime <= 0 || config.refreshTokenLifetime <= 0) {
    throw new TypeError('Invalid option "accessTokenLifetime" or "refreshTokenLifetime": a lifetime must be longer than 0 seconds.');
  }
  return config;
}

/** Options whose values are never echoed in an error, because they hold key material. */
const KEY_OPTIONS = new Set(['signingKey', 'verificationKeys']);

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
