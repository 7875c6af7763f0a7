import { TrustedDevicesError } from '../errors.js';
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
import { signInPageToJson } from './sign-in-json.js';
import { signInPageFromQuery } from './sign-in-query.js';
import type { HttpRequest, HttpResponse } from './types.js';

/** How long clients may cache the JWKS document. */
export const JWKS_MAX_AGE_SECONDS = 300;

export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

/** One route of the API: adapters register `path` with and without a trailing slash. */
export interface RouteDefinition {
  method: HttpMethod;
  /** Express-style path; `:deviceUid` is the only parameter. */
  path: string;
  /** Whether the route needs an authenticated device. */
  authenticated: boolean;
  /** Whether the route reads a request body. */
  hasBody: boolean;
  handle(request: HttpRequest, client: ClientInfo, auth: AuthContext | undefined): Promise<HttpResponse>;
}

/** Builds the route table of the wire API. Paths are relative to wherever the host mounts it. */
export function buildRoutes(td: TrustedDevices): RouteDefinition[] {
  const loginSchema = loginBodySchema(td.config.loginFields);
  const { username: usernameField, password: passwordField } = td.config.loginFields;
  const limit = td.config.bodyLimitBytes;

  const updateRoute = (method: 'PATCH' | 'PUT'): RouteDefinition => ({
    method,
    path: '/trusted-devices/:deviceUid',
    authenticated: true,
    hasBody: true,
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
      async handle(request, _client, auth) {
        await td.deleteDevice(auth!, request.params.deviceUid ?? '');
        return { status: 204 };
      },
    },
  ];
}

/** Resolves the client's address and user agent from a request. */
export function clientInfo(td: TrustedDevices, request: HttpRequest): ClientInfo {
  return {
    ip: resolveClientIp(request.socketAddress, headerValue(request.headers['x-forwarded-for']), td.config),
    userAgent: headerValue(request.headers['user-agent']) ?? '',
  };
}

/** Runs a route: authenticates when it must, calls the handler and renders any error. Never throws. */
export async function runRoute(td: TrustedDevices, route: RouteDefinition, request: HttpRequest): Promise<HttpResponse> {
  try {
    const client = clientInfo(td, request);
    const auth = route.authenticated ? await td.authenticate(headerValue(request.headers.authorization), client) : undefined;
    return await route.handle(request, client, auth);
  } catch (error) {
    return errorResponse(error, td.logger);
  }
}
