import type { TrustedDevices } from '../trusted-devices.js';
import { buildDocsRoutes } from './docs-routes.js';
import { errorResponse } from './error-response.js';
import { buildApiRoutes, isDecodablePath, malformedPathError, type RouteDefinition } from './routes.js';
import type { HttpMethod, HttpResponse } from './types.js';

/** Options every adapter takes. */
export interface ApiOptions {
  /**
   * Path of the OpenAPI 3.1 document, relative to the mount point, or false
   * to serve none. Default `/openapi.json`.
   */
  openApiPath?: string | false;
  /**
   * Path of a Swagger UI page for the document, relative to the mount point,
   * or false. Its assets come from the `swagger-ui-dist` package, never a CDN,
   * and are read from disk, so it needs Node (or Bun/Deno) file access.
   * Default false.
   */
  swaggerUiPath?: string | false;
}

export const DEFAULT_OPENAPI_PATH = '/openapi.json';

/** The 405 response to the other standard methods at a path that has routes. */
export interface MethodNotAllowed {
  /** Methods that get the 405. HEAD is left to the framework where the path has GET. */
  methods: readonly string[];
  /** Takes the request path as received, like `runRoute`, to reject bad percent-encoding the same way. */
  respond: (requestPath: string) => HttpResponse;
}

/** Everything registered at one concrete path: its routes, then the 405 for its other methods. */
export interface PathRegistration {
  path: string;
  routes: RouteDefinition[];
  methodNotAllowed: MethodNotAllowed;
}

/**
 * Methods that get a 405 at a path without a route for them. Other methods
 * (TRACE, WebDAV ones) fall through to the host's 404, on every framework.
 */
const STANDARD_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;

/**
 * Builds everything an adapter registers, in the order to register it: each
 * path at each of its variants, with its routes and then a 405 with `Allow`
 * for its other methods. Fixed paths come before parameterised ones, so
 * `DELETE /trusted-devices/logout` gets a 405 instead of reaching
 * `/trusted-devices/:deviceUid` as a device_uid of "logout" on frameworks
 * that match in registration order (Express, Hono); Fastify prefers fixed
 * paths by itself.
 */
export function buildRouteTable(td: TrustedDevices, options: ApiOptions = {}): PathRegistration[] {
  const routes = [...buildApiRoutes(td), ...buildDocsRoutes(td, resolveDocsPaths(options))];
  const paths = [...new Set(routes.map((route) => route.path))].sort((a, b) => Number(a.includes(':')) - Number(b.includes(':')));

  return paths.flatMap((path) => {
    const pathRoutes = routes.filter((route) => route.path === path);
    const allowed = pathRoutes.map((route) => route.method);
    const allowedNames: readonly string[] = allowed;
    const methods = STANDARD_METHODS.filter((method) => !allowedNames.includes(method) && !(method === 'HEAD' && allowedNames.includes('GET')));
    const response = methodNotAllowedResponse(allowed);
    const respond = (requestPath: string) => (isDecodablePath(requestPath) ? response : errorResponse(malformedPathError(), td.logger));
    return pathVariants(path).map((variant) => ({ path: variant, routes: pathRoutes, methodNotAllowed: { methods, respond } }));
  });
}

/** Paths match with or without one trailing slash, as in Django REST framework's default router. */
export function pathVariants(path: string): string[] {
  return [path, `${path}/`];
}

export function methodNotAllowedResponse(allowed: readonly HttpMethod[]): HttpResponse {
  const list = allowed.join(', ');
  return {
    status: 405,
    headers: { allow: list },
    body: { detail: `Method not allowed. Use ${list}.`, code: 'method_not_allowed' },
  };
}

export interface DocsPaths {
  openApiPath: string | false;
  swaggerUiPath: string | false;
}

function resolveDocsPaths(options: ApiOptions): DocsPaths {
  const openApiPath = options.openApiPath ?? DEFAULT_OPENAPI_PATH;
  const swaggerUiPath = options.swaggerUiPath ?? false;
  checkDocsPath('openApiPath', openApiPath);
  checkDocsPath('swaggerUiPath', swaggerUiPath);
  if (swaggerUiPath !== false && openApiPath === false) {
    throw new TypeError('Invalid option "swaggerUiPath": the Swagger UI page needs the OpenAPI document, so set "openApiPath" too.');
  }
  if (swaggerUiPath !== false && openApiPath !== false && (openApiPath === swaggerUiPath || openApiPath.startsWith(`${swaggerUiPath}/`))) {
    throw new TypeError(`Invalid options "openApiPath" and "swaggerUiPath": ${openApiPath} is taken by the Swagger UI page at ${swaggerUiPath}. Use two separate paths.`);
  }
  return { openApiPath, swaggerUiPath };
}

const DOCS_PATH = /^(?:\/[A-Za-z0-9._~-]+)+$/;
const API_PREFIXES = ['/api/token', '/trusted-devices', '/.well-known/jwks.json'];

function checkDocsPath(name: string, path: unknown): void {
  if (path === false) return;
  if (typeof path !== 'string' || !DOCS_PATH.test(path)) {
    throw new TypeError(`Invalid option "${name}": ${JSON.stringify(path)}. Use a path such as "/openapi.json" (letters, digits, "._~-" segments, no trailing slash), or false.`);
  }
  if (API_PREFIXES.some((prefix) => path === prefix || path.startsWith(`${prefix}/`))) {
    throw new TypeError(`Invalid option "${name}": ${path} overlaps the API's own paths. Choose a path outside ${API_PREFIXES.join(' and ')}.`);
  }
}
