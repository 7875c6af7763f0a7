import { ERROR_STATUS, type ErrorCode } from '../errors.js';
import type { TrustedDevices } from '../trusted-devices.js';
import { WWW_AUTHENTICATE } from './error-response.js';
import { errorCodesByStatus, responseJsonSchemas, toJsonSchema, type JsonSchema } from './json-schemas.js';
import { errorBodySchema } from './response-schemas.js';
import { buildApiRoutes, type RouteDefinition } from './routes.js';

export interface OpenApiOptions {
  /** The URL the API is mounted at, such as `/auth` or `https://example.com/auth`. Default `/`. */
  serverUrl?: string;
  /** Default `trusted-devices`. */
  title?: string;
  /** Version of the API, not of OpenAPI. Default `1.0.0`. */
  version?: string;
}

const STATUS_DESCRIPTIONS: Record<number, string> = {
  400: 'The request is invalid.',
  401: 'Not authenticated.',
  403: 'A device rule forbids this.',
  404: 'Not found.',
  405: 'Another method is expected; `Allow` lists them.',
  413: 'The request body is too large.',
  415: 'The body is neither JSON nor a form.',
  429: 'Rate limited; retry after `Retry-After` seconds.',
  503: 'The device store is unavailable; nothing was written.',
};

/**
 * Builds the OpenAPI 3.1 document of the wire API from the same zod schemas
 * that validate requests, with every error status and the codes each
 * operation can return.
 */
export function buildOpenApiDocument(td: TrustedDevices, options: OpenApiOptions = {}): JsonSchema {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of buildApiRoutes(td)) {
    if (route.operation === undefined) continue;
    const path = openApiPath(route.path);
    (paths[path] ??= {})[route.method.toLowerCase()] = operationObject(route, td.config.bodyLimitBytes);
  }

  const allCodes = Object.keys(ERROR_STATUS) as [ErrorCode, ...ErrorCode[]];
  return {
    openapi: '3.1.0',
    info: {
      title: options.title ?? 'trusted-devices',
      version: options.version ?? '1.0.0',
      description:
        'Trusted device management for JWT authentication. Paths match with or without a trailing slash. ' +
        'Every error is `{detail, code}` (plus `fields` for `invalid`); clients switch on `code`. ' +
        'A known path requested with another method gets 405 `method_not_allowed` with an `Allow` header, ' +
        'and a path that is not valid percent-encoding gets 400 `invalid` whatever the method.',
    },
    servers: [{ url: options.serverUrl ?? '/' }],
    tags: [
      { name: 'tokens', description: 'Sign in, refresh and verify tokens.' },
      { name: 'devices', description: "Manage the user's devices." },
    ],
    paths,
    components: {
      securitySchemes: {
        bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'An access token from /api/token.' },
      },
      schemas: { Error: toJsonSchema(errorBodySchema(allCodes), 'output') },
      responses: {
        MethodNotAllowed: {
          description: STATUS_DESCRIPTIONS[405],
          headers: { Allow: { schema: { type: 'string' }, description: 'The methods of this path.' } },
          content: { 'application/json': { schema: toJsonSchema(errorBodySchema(['method_not_allowed']), 'output') } },
        },
      },
    },
  };
}

/** `/trusted-devices/:deviceUid` becomes `/trusted-devices/{device_uid}`, its name on the wire. */
export function openApiPath(routePath: string): string {
  return routePath.replace(':deviceUid', '{device_uid}');
}

function operationObject(route: RouteDefinition, bodyLimitBytes: number): Record<string, unknown> {
  const operation = route.operation!;
  const responseSchemas = responseJsonSchemas(operation);
  const responses: Record<string, unknown> = {};

  const success = operation.success;
  responses[String(success.status)] = success.schema === undefined
    ? { description: success.description }
    : { description: success.description, content: { 'application/json': { schema: responseSchemas.get(success.status) } } };
  for (const [status, codes] of errorCodesByStatus(operation.errorCodes)) {
    responses[String(status)] = {
      description: `${STATUS_DESCRIPTIONS[status] ?? 'Error.'} Codes: ${codes.map((code) => `\`${code}\``).join(', ')}.`,
      ...errorHeaders(status),
      content: { 'application/json': { schema: responseSchemas.get(status) } },
    };
  }

  const result: Record<string, unknown> = {
    operationId: operation.operationId,
    summary: operation.summary,
    tags: [route.path.startsWith('/trusted-devices') ? 'devices' : 'tokens'],
    security: route.authenticated ? [{ bearerAuth: [] }] : [],
  };
  const parameters: Record<string, unknown>[] = [];
  if (route.path.includes(':deviceUid')) {
    parameters.push({ name: 'device_uid', in: 'path', required: true, schema: { type: 'string' }, description: 'A device of the user; anything else is 404.' });
  }
  for (const parameter of operation.query ?? []) parameters.push({ ...parameter, in: 'query', required: false });
  if (parameters.length > 0) result.parameters = parameters;
  if (operation.requestBody !== undefined) {
    result.requestBody = {
      required: true,
      description: `JSON, or a form (application/x-www-form-urlencoded) with the same fields. At most ${bodyLimitBytes} bytes.`,
      content: { 'application/json': { schema: toJsonSchema(operation.requestBody, 'input') } },
    };
  }
  result.responses = responses;
  return result;
}

function errorHeaders(status: number): Record<string, unknown> {
  if (status === 401) {
    return { headers: { 'WWW-Authenticate': { schema: { type: 'string', const: WWW_AUTHENTICATE } } } };
  }
  if (status === 429) {
    return { headers: { 'Retry-After': { schema: { type: 'integer', minimum: 0 }, description: 'Seconds to wait.' } } };
  }
  return {};
}
