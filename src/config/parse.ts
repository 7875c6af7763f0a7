import type { z } from 'zod';

import { OPTION_FIXES, optionsSchema, type PlainOptionsInput, type ResolvedConfig } from './schema.js';

/**
 * Validates and defaults the plain options once, at start-up. Throws a
 * `TypeError` naming the first bad option, the value received and the fix.
 * Key material is never part of a message, and the caller's object is never
 * modified.
 */
export function parseOptions(input: PlainOptionsInput): ResolvedConfig {
  const result = optionsSchema.safeParse(input);
  if (!result.success) throw optionError(input, result.error.issues[0]!);

  const config = result.data;
  for (const option of ['accessTokenLifetime', 'refreshTokenLifetime'] as const) {
    if (config[option] <= 0) {
      throw new TypeError(
        `Invalid option "${option}": a token lifetime must be longer than 0 seconds (received ${describeValue(input[option])}). ` +
          'Fix: pass seconds or a duration such as "5m" or "1d".',
      );
    }
  }
  return config;
}

/** Options whose values are never echoed in an error, because they hold key material. */
const KEY_OPTIONS = new Set(['signingKey', 'verificationKeys']);

function optionError(input: PlainOptionsInput, issue: z.core.$ZodIssue): TypeError {
  if (issue.code === 'unrecognized_keys') {
    // The value of an unknown key is not shown: it could be a misspelt signingKey.
    const key = [...issue.path.map(String), issue.keys[0] ?? ''].join('.');
    const suggestion = issue.path.length === 0 ? closestOption(key) : undefined;
    return new TypeError(
      `Unknown option "${key}". Fix: ${suggestion === undefined ? 'remove it, or correct its name' : `did you mean "${suggestion}"?`}`,
    );
  }

  const path = issue.path.map(String);
  const option = path.join('.') || '(options)';
  const received = KEY_OPTIONS.has(path[0]!) ? '' : ` (received ${describeValue(readPath(input, path))})`;
  // Key problems carry their own fix, because it depends on what the key turned out to be.
  const keyFix = issue.code === 'custom' ? (issue.params?.fix as string | undefined) : undefined;
  const fix = keyFix ?? OPTION_FIXES[path[0] as keyof PlainOptionsInput] ?? fixFromIssue(issue);
  return new TypeError(`Invalid option "${option}": ${issue.message}${received}. Fix: ${fix}.`);
}

/** Words the fix from what zod expected, for options without a fix of their own. */
function fixFromIssue(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.expected === 'boolean') return 'pass true or false';
      if (issue.expected === 'int') return 'pass a whole number';
      return `pass a value of type ${issue.expected}`;
    case 'too_small':
      return `use ${describeBound('at least', issue.origin, issue.minimum)}`;
    case 'too_big':
      return `use ${describeBound('at most', issue.origin, issue.maximum)}`;
    case 'invalid_value':
      return `use ${issue.values.map((value) => JSON.stringify(value)).join(' or ')}`;
    case 'invalid_format':
      return 'use the documented format';
    default:
      return 'see the option in the README';
  }
}

function describeBound(relation: string, origin: string, bound: number | bigint): string {
  if (origin === 'string') return `${relation} ${bound} character${bound === 1 ? '' : 's'}`;
  if (origin === 'array') return `${relation} ${bound} item${bound === 1 ? '' : 's'}`;
  return `a number of ${relation} ${bound}`;
}

/** Returns the known option within two edits of `key`, ignoring case. */
function closestOption(key: string): string | undefined {
  let best: { name: string; distance: number } | undefined;
  for (const name of Object.keys(optionsSchema.in.shape)) {
    const distance = editDistance(key.toLowerCase(), name.toLowerCase());
    if (distance <= 2 && (best === undefined || distance < best.distance)) best = { name, distance };
  }
  return best?.name;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
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
