import { z } from 'zod';

import type { ErrorCode } from '../errors.js';

/*
 * Schemas of every response body. They feed the OpenAPI document and
 * Fastify's response serialisation, so their property order is the order the
 * handlers write. They are also strict, so a field added to a handler but not
 * here fails the OpenAPI conformance test instead of being dropped by Fastify.
 */

const timestamp = z.iso.datetime().describe('ISO 8601 UTC, ending in Z.');

export const tokenPairSchema = z.strictObject({
  refresh: z.string().describe('Refresh token (JWT).'),
  access: z.string().describe('Access token (JWT).'),
  device_uid: z.uuid().describe('The device this sign-in created.'),
});

export const refreshResponseSchema = z.strictObject({
  access: z.string().describe('New access token (JWT).'),
  refresh: z.string().optional().describe('New refresh token, present when rotation is on.'),
});

export const verifyResponseSchema = z.strictObject({});

export const deviceSchema = z.strictObject({
  device_uid: z.uuid(),
  name: z.string(),
  user_agent: z.string(),
  ip_address: z.string().describe('Address the device signed in from.'),
  last_ip: z.string().describe('Address of its most recent request.'),
  country: z.string().describe('Empty when unknown.'),
  region: z.string().describe('Empty when unknown.'),
  city: z.string().describe('Empty when unknown.'),
  last_seen: timestamp,
  created_at: timestamp,
  can_update_other_devices: z.boolean(),
  can_delete_other_devices: z.boolean(),
  is_current: z.boolean().describe('Whether this is the device of the request.'),
});

export const deviceListSchema = z.array(deviceSchema);

export const deviceUpdateResponseSchema = z.strictObject({
  name: z.string(),
  can_delete_other_devices: z.boolean(),
  can_update_other_devices: z.boolean(),
});

export const revokeAllResponseSchema = z.strictObject({
  revoked_count: z.number().int().min(0).describe('How many other devices were signed out.'),
});

export const signInPageSchema = z.strictObject({
  results: z.array(
    z.strictObject({
      signed_in_at: timestamp,
      outcome: z.enum(['success', 'failed-credentials', 'inactive-account']),
      device_uid: z.uuid().nullable().describe('The device the sign-in created; null when it created none.'),
      ip_address: z.string(),
      country: z.string().describe('Empty when unknown.'),
      region: z.string().describe('Empty when unknown.'),
      city: z.string().describe('Empty when unknown.'),
      user_agent: z.string(),
      is_current_device: z.boolean().describe('Whether the sign-in created the device of the request.'),
    }),
  ),
  next_cursor: z.string().nullable().describe('Pass as `cursor` for the next page; null on the last page.'),
});

/** The public verification keys (RFC 7517); empty with HS256, whose key is secret. */
export const jwksSchema = z.strictObject({
  keys: z.array(
    z.strictObject({
      kty: z.string(),
      kid: z.string().optional(),
      alg: z.string().optional(),
      use: z.string().optional(),
      n: z.string().optional(),
      e: z.string().optional(),
      crv: z.string().optional(),
      x: z.string().optional(),
      y: z.string().optional(),
    }),
  ),
});

/** Builds the schema of an error body: `{detail, code}`, plus `fields` for validation errors. */
export function errorBodySchema(codes: readonly [ErrorCode, ...ErrorCode[]]) {
  return z.strictObject({
    detail: z.string().describe('A sentence for people; its wording may change between releases.'),
    code: z.enum(codes).describe('Stable code that clients switch on.'),
    fields: z
      .record(z.string(), z.array(z.string()))
      .optional()
      .describe('Problems per field, for `invalid` only.'),
  });
}
