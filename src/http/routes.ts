import type { z } from 'zod';

import { TrustedDevicesError, type ErrorCode } from '../errors.js';
import { resolveClientIp } from '../net/client-ip.js';
import type { AuthContext } from '../service/authenticate.js';
import type { ClientInfo } from '../service/context.js';
import type { TrustedDevices } from '../trusted-devices.js';
import {
  deviceUpdateBodySchema,
  loginBodySchema,
  refreshBodySchema,
  validateBody,
  verifyBodySchema,
} from './body-schemas.js';
import { deviceToJson, deviceUpdateToJson } from './device-json.js';
import { errorResponse } from './error-response.js';
import { headerValue, parseBody } from './request-body.js';
import {
  deviceListSchema,
  deviceUpdateResponseSchema,
  jwksSchema,
  refreshResponseSchema,
  revokeAllResponseSchema,
  signInPageSchema,
  tokenPairSchema,
  verifyResponseSchema,
} from './response-schemas.js';
import { signInPageToJson } from './sign-in-json.js';
import { signInPageFromQuery } from './sign-in-query.js';
import type { HttpMethod, HttpRequest, HttpResponse, RequestHeaders } from './types.js';

export type { HttpMethod } from './types.js';

/** How long clients may cache the JWKS document. */
export const JWKS_MAX_AGE_SECONDS = 300;

/** Metadata of a route for the OpenAPI document and Fastify's serialiser. */
export interface RouteOperation {
  operationId: string;
  summary: string;
  /** The body the route validates; the same zod schema describes it in the document. */
  requestBody?: z.ZodType;
  /** Query parameters, documented only: the handler reads and checks them. */
  query?: { name: string; description: string; schema: Record<string, unknown> }[];
  success: { status: 200 | 204; description: string; schema?: z.ZodType };
  /** Every error code the route can respond with, grouped by status in the document. */
  errorCodes: readonly ErrorCode[];
}

/** One route of the API. Adapters register it at every path of `pathVariants(route.path)`. */
export interface RouteDefinition {
  method: HttpMethod;
  /** Path relative to the mount point; `:deviceUid` is the only parameter. */
  path: string;
  /** Whether the route needs an authenticated device. */
  authenticated: boolean;
  /** Whether the route reads a request body. Adapters leave the body of other routes unread. */
  hasBody: boolean;
  /** Absent on the routes that serve the documentation itself. */
  operation?: RouteOperation;
  handle(request: HttpRequest, client: ClientInfo, auth: AuthContext | undefined): Promise<HttpResponse>;
}

/** Codes of any route: a rate limit or an unreachable store. */
const COMMON_ERRORS = ['throttled', 'service_unavailable'] as const satisfies readonly ErrorCode[];
/** Codes of a route that reads a body. */
const BODY_ERRORS = ['invalid', 'payload_too_large', 'unsupported_media_type'] as const satisfies readonly ErrorCode[];
/** Codes of a token whose device is checked, on a request, a refresh or a verify. */
const DEVICE_TOKEN_ERRORS = [
  'token_not_valid',
  'device_uid_missing',
  'device_not_recognized',
  'device_compromised',
  'inactive_account',
] as const satisfies readonly ErrorCode[];
const AUTHENTICATED_ERRORS = ['not_authenticated', ...DEVICE_TOKEN_ERRORS, ...COMMON_ERRORS] as const;
const DELETE_RULE_ERRORS = [
  'device_deletion_disabled',
  'device_lacks_delete_permission',
  'device_session_too_recent',
  'device_not_verified',
] as const satisfies readonly ErrorCode[];
const UPDATE_RULE_ERRORS = [
  'device_editing_disabled',
  'device_lacks_edit_permission',
  'device_session_too_recent',
  'device_permission_escalation',
  'device_not_verified',
] as const satisfies readonly ErrorCode[];

/** Builds the route table of the wire API. Paths are relative to wherever the host mounts it. */
export function buildApiRoutes(td: TrustedDevices): RouteDefinition[] {
  const loginSchema = loginBodySchema(td.config.loginFields);
  const { username: usernameField, password: passwordField } = td.config.loginFields;
  const limit = td.config.bodyLimitBytes;

  const updateRoute = (method: 'PATCH' | 'PUT'): RouteDefinition => ({
    method,
    path: '/trusted-devices/:deviceUid',
    authenticated: true,
    hasBody: true,
    operation: {
      operationId: method === 'PATCH' ? 'updateDevice' : 'replaceDevice',
      summary: method === 'PATCH' ? 'Rename another device or change its permissions' : 'Same as PATCH: every field is optional',
      requestBody: deviceUpdateBodySchema,
      success: { status: 200, description: 'The three fields after the change.', schema: deviceUpdateResponseSchema },
      errorCodes: [...AUTHENTICATED_ERRORS, ...BODY_ERRORS, ...UPDATE_RULE_ERRORS, 'device_self_modification', 'not_found'],
    },
    async handle(request, _client, auth) {
      const body = validateBody(deviceUpdateBodySchema, parseBody(request, limit));
      const updated = await td.updateDevice(auth!, request.params.deviceUid ?? '', {
        ...(body.name === undefined ? {} : { name: body.name }),
        ...(body.can_delete_other_devices === undefined ? {} : { canDeleteOtherDevices: body.can_delete_other_devices }),
        ...(body.can_update_other_devices === undefined ? {} : { canUpdateOtherDevices: body.can_update_other_devices }),
      });
      return { status: 200, body: deviceUpdateToJson(updated) };
    },
  });

  return [
    {
      method: 'POST',
      path: '/api/token',
      authenticated: false,
      hasBody: true,
      operation: {
        operationId: 'login',
        summary: 'Sign in: create a device and return a token pair bound to it',
        requestBody: loginSchema,
        success: { status: 200, description: 'A token pair and the new device.', schema: tokenPairSchema },
        errorCodes: [...BODY_ERRORS, 'no_active_account', ...COMMON_ERRORS],
      },
      async handle(request, client) {
        try {
          const body = validateBody(loginSchema, parseBody(request, limit)) as Record<string, string>;
          const result = await td.login(body[usernameField]!, body[passwordField]!, client);
          return { status: 200, body: { refresh: result.refresh, access: result.access, device_uid: result.deviceUid } };
        } catch (error) {
          // Every rejected login is logged with its code, never with the credentials.
          if (error instanceof TrustedDevicesError) td.logger.info({ code: error.code, ip: client.ip }, 'login rejected');
          throw error;
        }
      },
    },
    {
      method: 'POST',
      path: '/api/token/refresh',
      authenticated: false,
      hasBody: true,
      operation: {
        operationId: 'refreshToken',
        summary: 'Exchange a refresh token for a new access token',
        requestBody: refreshBodySchema,
        success: { status: 200, description: 'A new access token, and a new refresh token when rotation is on.', schema: refreshResponseSchema },
        errorCodes: [...BODY_ERRORS, 'token_blacklisted', ...DEVICE_TOKEN_ERRORS, ...COMMON_ERRORS],
      },
      async handle(request, client) {
        const body = validateBody(refreshBodySchema, parseBody(request, limit));
        const result = await td.refresh(body.refresh, client);
        return { status: 200, body: result.refresh === undefined ? { access: result.access } : { access: result.access, refresh: result.refresh } };
      },
    },
    {
      method: 'POST',
      path: '/api/token/verify',
      authenticated: false,
      hasBody: true,
      operation: {
        operationId: 'verifyToken',
        summary: 'Check that a token and its device are still valid',
        requestBody: verifyBodySchema,
        success: { status: 200, description: 'The token is valid: an empty object.', schema: verifyResponseSchema },
        errorCodes: [...BODY_ERRORS, 'token_blacklisted', ...DEVICE_TOKEN_ERRORS, ...COMMON_ERRORS],
      },
      async handle(request) {
        const body = validateBody(verifyBodySchema, parseBody(request, limit));
        await td.verify(body.token);
        return { status: 200, body: {} };
      },
    },
    {
      method: 'GET',
      path: '/trusted-devices',
      authenticated: true,
      hasBody: false,
      operation: {
        operationId: 'listDevices',
        summary: "List the user's devices, most recently seen first",
        success: { status: 200, description: 'Every device of the user.', schema: deviceListSchema },
        errorCodes: AUTHENTICATED_ERRORS,
      },
      async handle(_request, _client, auth) {
        const devices = await td.listDevices(auth!);
        return { status: 200, body: devices.map(deviceToJson) };
      },
    },
    {
      method: 'GET',
      path: '/trusted-devices/history',
      authenticated: true,
      hasBody: false,
      operation: {
        operationId: 'listSignIns',
        summary: "List the user's sign-ins, newest first, a page at a time",
        query: [
          { name: 'limit', description: 'Entries per page.', schema: { type: 'integer', minimum: 1 } },
          { name: 'cursor', description: '`next_cursor` of the previous page.', schema: { type: 'string' } },
        ],
        success: { status: 200, description: 'One page of sign-ins.', schema: signInPageSchema },
        errorCodes: ['invalid', ...AUTHENTICATED_ERRORS],
      },
      async handle(request, _client, auth) {
        const page = await td.listSignIns(auth!.user.id, signInPageFromQuery(request.query));
        return { status: 200, body: signInPageToJson(page, auth!.device.deviceUid) };
      },
    },
    {
      method: 'POST',
      path: '/trusted-devices/logout',
      authenticated: true,
      hasBody: false,
      operation: {
        operationId: 'logout',
        summary: 'Sign out the device of the request',
        success: { status: 204, description: 'The device is signed out.' },
        errorCodes: AUTHENTICATED_ERRORS,
      },
      async handle(_request, _client, auth) {
        await td.logout(auth!);
        return { status: 204 };
      },
    },
    {
      method: 'POST',
      path: '/trusted-devices/revoke-all',
      authenticated: true,
      hasBody: false,
      operation: {
        operationId: 'revokeOtherDevices',
        summary: 'Sign out every other device of the user',
        success: { status: 200, description: 'How many devices were signed out.', schema: revokeAllResponseSchema },
        errorCodes: [...AUTHENTICATED_ERRORS, ...DELETE_RULE_ERRORS],
      },
      async handle(_request, _client, auth) {
        const revokedCount = await td.revokeOtherDevices(auth!);
        return { status: 200, body: { revoked_count: revokedCount } };
      },
    },
    {
      method: 'GET',
      path: '/.well-known/jwks.json',
      authenticated: false,
      hasBody: false,
      operation: {
        operationId: 'getJwks',
        summary: 'Public keys that verify the tokens (RFC 7517), for other services',
        success: { status: 200, description: 'The key set; empty with HS256.', schema: jwksSchema },
        errorCodes: ['throttled'],
      },
      handle() {
        // Caches may keep the document this long, so add a new key to verificationKeys at least this long before signing with it.
        return Promise.resolve({ status: 200, body: td.jwks(), headers: { 'cache-control': `public, max-age=${JWKS_MAX_AGE_SECONDS}` } });
      },
    },
    updateRoute('PATCH'),
    updateRoute('PUT'),
    {
      method: 'DELETE',
      path: '/trusted-devices/:deviceUid',
      authenticated: true,
      hasBody: false,
      operation: {
        operationId: 'deleteDevice',
        summary: 'Sign out another device',
        success: { status: 204, description: 'The device is signed out.' },
        errorCodes: [...AUTHENTICATED_ERRORS, ...DELETE_RULE_ERRORS, 'device_self_modification', 'not_found', 'invalid'],
      },
      async handle(request, _client, auth) {
        await td.deleteDevice(auth!, request.params.deviceUid ?? '');
        return { status: 204 };
      },
    },
  ];
}

/** Resolves the client's address and user agent from a request's headers and socket. */
export function clientInfo(td: TrustedDevices, headers: RequestHeaders, socketAddress: string | undefined): ClientInfo {
  return {
    ip: resolveClientIp(socketAddress, headerValue(headers['x-forwarded-for']), td.config),
    userAgent: headerValue(headers['user-agent']) ?? '',
  };
}

/**
 * Runs a route: rejects a path that is not valid percent-encoding,
 * authenticates when the route must, calls the handler and renders any
 * error. Never throws.
 */
export async function runRoute(td: TrustedDevices, route: RouteDefinition, request: HttpRequest): Promise<HttpResponse> {
  try {
    if (!isDecodablePath(request.path)) throw malformedPathError();
    const client = clientInfo(td, request.headers, request.socketAddress);
    const auth = route.authenticated ? await td.authenticate(headerValue(request.headers.authorization), client) : undefined;
    return await route.handle(request, client, auth);
  } catch (error) {
    return errorResponse(error, td.logger);
  }
}

/**
 * Whether a path is valid percent-encoding. Express and Fastify reject a path
 * such as `/trusted-devices/%E0` before any handler runs, while Hono passes
 * the undecoded text on. This check gives Hono the same response, and adapters
 * render the framework's own failure with `malformedPathError`.
 */
export function isDecodablePath(path: string): boolean {
  try {
    decodeURIComponent(path);
    return true;
  } catch {
    return false;
  }
}

/** Creates the error for a request path that is not valid percent-encoding. */
export function malformedPathError(): TrustedDevicesError {
  return new TrustedDevicesError('invalid', 'The request path is not valid percent-encoding.');
}
