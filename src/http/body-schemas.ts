import { z } from 'zod';

import { TrustedDevicesError, type FieldErrors } from '../errors.js';
import { MAX_TOKEN_LENGTH } from '../tokens/authorization-header.js';

/** Longest accepted username and password; longer ones cannot match and only cost hashing time. */
export const USERNAME_MAX_LENGTH = 150;
export const PASSWORD_MAX_LENGTH = 1024;
export const DEVICE_NAME_MAX_LENGTH = 255;

const NULL_CHARACTERS_MESSAGE = 'Null characters are not allowed.';

/** Rejects U+0000 in a text field, as Django REST framework's CharField does, because PostgreSQL text cannot store it. */
const withoutNullCharacters = (text: string) => !text.includes('\u0000');

export function loginBodySchema(fields: { username: string; password: string }) {
  return z.object({
    [fields.username]: z.string().min(1).max(USERNAME_MAX_LENGTH).refine(withoutNullCharacters, NULL_CHARACTERS_MESSAGE),
    [fields.password]: z.string().min(1).max(PASSWORD_MAX_LENGTH).refine(withoutNullCharacters, NULL_CHARACTERS_MESSAGE),
  });
}

export const refreshBodySchema = z.object({ refresh: z.string().min(1).max(MAX_TOKEN_LENGTH) });
export const verifyBodySchema = z.object({ token: z.string().min(1).max(MAX_TOKEN_LENGTH) });
export const deviceUpdateBodySchema = z.object({
  // Trimmed before the length checks, as Django REST framework's CharField does, so a blank name is rejected.
  name: z.string().trim().min(1).max(DEVICE_NAME_MAX_LENGTH).refine(withoutNullCharacters, NULL_CHARACTERS_MESSAGE).optional(),
  can_delete_other_devices: z.boolean().optional(),
  can_update_other_devices: z.boolean().optional(),
});

/**
 * Validates a parsed body. Throws `invalid` with one message per bad field,
 * in the `{field: [messages]}` form of Django REST framework.
 */
export function validateBody<T>(schema: z.ZodType<T>, body: unknown): T {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new TrustedDevicesError('invalid', 'The request body must be a JSON object.', {
      fields: { non_field_errors: ['Expected a JSON object.'] },
    });
  }
  const result = schema.safeParse(body);
  if (result.success) return result.data;

  const fields: FieldErrors = {};
  for (const issue of result.error.issues) {
    const field = issue.path.length === 0 ? 'non_field_errors' : issue.path.map(String).join('.');
    const present = issue.path.length > 0 && Object.hasOwn(body, String(issue.path[0]));
    (fields[field] ??= []).push(describeIssue(issue, present));
  }
  throw new TrustedDevicesError('invalid', `Invalid request body: check ${Object.keys(fields).join(', ')}.`, { fields });
}

function describeIssue(issue: z.core.$ZodIssue, present: boolean): string {
  switch (issue.code) {
    case 'invalid_type':
      return present ? `Expected a ${issue.expected}.` : 'This field is required.';
    case 'too_small':
      return 'This field may not be blank.';
    case 'too_big':
      return `Use at most ${String(issue.maximum)} characters.`;
    case 'custom':
      return issue.message;
    default:
      return 'Invalid value.';
  }
}
