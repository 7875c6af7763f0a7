import type {
  FastifyPluginAsync,
  FastifyReply,
  FastifyRequest,
  FastifySchema,
  onRequestAsyncHookHandler,
} from 'fastify';

import { errorResponse } from '../../http/error-response.js';
import { authenticateRequest } from '../../http/guard.js';
import { responseJsonSchemas } from '../../http/json-schemas.js';
import { readBody } from '../../http/request-body.js';
import { buildRouteTable, type ApiOptions } from '../../http/route-table.js';
import { runRoute, type RouteDefinition } from '../../http/routes.js';
import { JSON_CONTENT_TYPE, type HttpRequest, type HttpResponse } from '../../http/types.js';
import type { AuthContext } from '../../service/authenticate.js';
import type { TrustedDevices } from '../../trusted-devices.js';

export type { ApiOptions } from '../../http/route-table.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The user and device of a request that passed `requireDevice`; null on other requests. */
    trustedDevice: AuthContext | null;
  }
  interface FastifyInstance {
    /** An `onRequest` hook for the host's own routes; set by the `trustedDevices` plugin. */
    requireDevice: onRequestAsyncHookHandler;
  }
}

export interface TrustedDevicesPluginOptions extends ApiOptions {
  td: TrustedDevices;
  /** Mount prefix of the API, such as `/auth`. Default: the root. */
  prefix?: string;
}

/** What the `onRequest` hook keeps of a request before its body is read. */
interface Arrival {
  contentType: string | string[] | undefined;
  socketAddress: string | undefined;
}

/** Per-route settings the content-type parser reads through `request.routeOptions.config`. */
interface RouteConfig {
  trustedDevicesRoute?: RouteDefinition;
}

/**
 * Registers the trusted-devices Fastify 5 plugin: decorates every request with `trustedDevice`, adds
 * `fastify.requireDevice` for the host's routes, and serves the wire API and
 * its OpenAPI document under `prefix`.
 *
 * ```ts
 * await app.register(trustedDevices, { td, prefix: '/auth' });
 * app.get('/orders', { onRequest: app.requireDevice }, (request) => orders.of(request.trustedDevice!.user.id));
 * ```
 */
export const trustedDevices: FastifyPluginAsync<TrustedDevicesPluginOptions> = async (fastify, options) => {
  const { td, prefix = '', ...apiOptions } = options;
  if (!fastify.hasRequestDecorator('trustedDevice')) fastify.decorateRequest('trustedDevice', null);
  fastify.decorate('requireDevice', requireDevice(td));
  await fastify.register(trustedDevicesRoutes, { ...apiOptions, td, prefix });
};
// As fastify-plugin does: the decorators reach the host's scope, and the plugin declares the Fastify major it supports.
Object.assign(trustedDevices, {
  [Symbol.for('skip-override')]: true,
  [Symbol.for('fastify.display-name')]: 'trusted-devices',
  [Symbol.for('plugin-meta')]: { name: 'trusted-devices', fastify: '5.x' },
});

/**
 * Registers the wire API alone, in a scope of its own. Register it with `{ td, prefix }`
 * when the `trustedDevices` plugin's decorators are not wanted.
 *
 * Requests are parsed and validated by the shared HTTP layer, not by
 * Fastify's JSON parser and Ajv: those coerce types, reject `__proto__` keys
 * and word their errors differently, which would change the wire format.
 * Responses are serialised by Fastify from JSON schemas generated from the
 * same zod schemas as the OpenAPI document, which is faster than
 * `JSON.stringify` and writes the same bytes.
 */
export const trustedDevicesRoutes: FastifyPluginAsync<TrustedDevicesPluginOptions> = (fastify, options) => {
  const { td, prefix: _prefix, ...apiOptions } = options;
  const table = buildRouteTable(td, apiOptions);
  const arrivals = new WeakMap<FastifyRequest, Arrival>();
  const limit = td.config.bodyLimitBytes;

  // Fastify rejects a missing or malformed Content-Type with its own 415
  // before any parser runs. Setting the header aside hands every body to the
  // parser below, and the shared layer judges the media type as on Express.
  // The socket address is taken here too: stopping a body at the size limit
  // destroys the stream and detaches `request.socket`.
  fastify.addHook('onRequest', (request, _reply, done) => {
    const contentType = request.headers['content-type'];
    arrivals.set(request, { contentType, socketAddress: request.socket.remoteAddress });
    if (contentType !== undefined) delete request.headers['content-type'];
    done();
  });
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('*', async (request: FastifyRequest, payload: AsyncIterable<Uint8Array>) => {
    const route = (request.routeOptions.config as RouteConfig).trustedDevicesRoute;
    // Routes without a body leave it unread, as on Express; Node discards it after the response.
    if (route?.hasBody !== true) return undefined;
    return readBody(payload, headerText(request.headers['content-length']), limit);
  });
  fastify.setErrorHandler((error, _request, reply) => sendResponse(reply, errorResponse(error, td.logger)));

  const ignoresTrailingSlash = fastify.initialConfig.routerOptions?.ignoreTrailingSlash === true;
  const registrable = (path: string) => !(ignoresTrailingSlash && path.endsWith('/'));

  for (const { path, routes, methodNotAllowed } of table) {
    if (!registrable(path)) continue;
    for (const route of routes) {
      fastify.route({
        method: route.method,
        url: path,
        exposeHeadRoute: route.method === 'GET',
        config: { trustedDevicesRoute: route } satisfies RouteConfig,
        schema: responseSchema(route),
        handler: async (request, reply) => {
          const response = await runRoute(td, route, toHttpRequest(request, route, arrivals.get(request)));
          return sendResponse(reply, response);
        },
      });
    }
    fastify.route({
      method: [...methodNotAllowed.methods],
      url: path,
      exposeHeadRoute: false,
      handler: (request, reply) => sendResponse(reply, methodNotAllowed.respond(requestPath(request))),
    });
  }
  return Promise.resolve();
};

/**
 * An `onRequest` hook for the host's own routes: authenticates the bearer
 * token and its device, then sets `request.trustedDevice`. Sends a 401 JSON error otherwise.
 */
export function requireDevice(td: TrustedDevices): onRequestAsyncHookHandler {
  return async function requireTrustedDevice(request: FastifyRequest, reply: FastifyReply) {
    const result = await authenticateRequest(td, request.headers, request.socket.remoteAddress);
    if (result.response !== undefined) return sendResponse(reply, result.response);
    request.trustedDevice = result.auth;
  };
}

function responseSchema(route: RouteDefinition): FastifySchema | undefined {
  if (route.operation === undefined) return undefined;
  return { response: Object.fromEntries(responseJsonSchemas(route.operation)) };
}

function toHttpRequest(request: FastifyRequest, route: RouteDefinition, arrival: Arrival | undefined): HttpRequest {
  const contentType = arrival?.contentType;
  const headers = contentType === undefined ? request.headers : { ...request.headers, 'content-type': contentType };
  return {
    method: request.method,
    path: requestPath(request),
    headers,
    params: request.params as Record<string, string>,
    query: request.query as Record<string, unknown>,
    socketAddress: arrival?.socketAddress,
    body: route.hasBody ? ((request.body as HttpRequest['body']) ?? { raw: new Uint8Array() }) : undefined,
  };
}

function requestPath(request: FastifyRequest): string {
  return request.url.split('?', 1)[0]!;
}

function headerText(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function toBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function sendResponse(reply: FastifyReply, response: HttpResponse): FastifyReply {
  reply.code(response.status);
  if (response.headers !== undefined) reply.headers(response.headers);
  if (response.content !== undefined) return reply.send(typeof response.content === 'string' ? response.content : toBuffer(response.content));
  if (response.status === 204 || response.body === undefined) return reply.send();
  return reply.type(JSON_CONTENT_TYPE).send(response.body);
}
