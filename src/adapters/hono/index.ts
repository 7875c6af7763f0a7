import { getConnInfo } from '@hono/node-server/conninfo';
import { Hono, type Context, type MiddlewareHandler } from 'hono';

import { authenticateRequest } from '../../http/guard.js';
import { readBody } from '../../http/request-body.js';
import { buildRouteTable, type ApiOptions } from '../../http/route-table.js';
import { runRoute, type RouteDefinition } from '../../http/routes.js';
import { JSON_CONTENT_TYPE, type HttpRequest, type HttpResponse, type RequestHeaders } from '../../http/types.js';
import type { AuthContext } from '../../service/authenticate.js';
import type { TrustedDevices } from '../../trusted-devices.js';

export type { ApiOptions } from '../../http/route-table.js';

declare module 'hono' {
  interface ContextVariableMap {
    /** The user and device of a request that passed `requireDevice`. */
    trustedDevice: AuthContext;
  }
}

/**
 * Returns the address of the socket peer, before any proxy header is
 * considered, or undefined when the runtime does not expose it.
 */
export type ClientAddressResolver = (c: Context) => string | undefined;

export interface HonoAdapterOptions {
  /**
   * Source of the client address. Default: the socket on @hono/node-server.
   * Other runtimes expose none, so every device records 0.0.0.0 unless you
   * pass a resolver that reads the runtime's connection info (or use
   * `trustProxy` with `X-Forwarded-For`).
   */
  clientAddress?: ClientAddressResolver;
}

export interface TrustedDevicesAppOptions extends ApiOptions, HonoAdapterOptions {}

export interface FetchHandlerOptions extends TrustedDevicesAppOptions {
  /** The path prefix the requests arrive under, such as `/api/auth` in a Next.js route handler. Default: none. */
  basePath?: string;
}

/**
 * Creates a Hono app serving the whole wire API and its OpenAPI document. Mount it
 * with `app.route('/auth', trustedDevicesApp(td))`; paths match with or
 * without a trailing slash.
 */
export function trustedDevicesApp(td: TrustedDevices, options: TrustedDevicesAppOptions = {}): Hono {
  const { clientAddress = nodeSocketAddress, ...apiOptions } = options;
  const table = buildRouteTable(td, apiOptions);
  const app = new Hono();

  for (const { path, routes, methodNotAllowed } of table) {
    for (const route of routes) {
      app.on(route.method, path, async (c) => toResponse(await handleRoute(td, route, c, clientAddress)));
    }
    app.on([...methodNotAllowed.methods], path, (c) => toResponse(methodNotAllowed.respond(new URL(c.req.url).pathname)));
  }
  return app;
}

/**
 * The API as a Fetch handler, for any runtime with `Request` and `Response`:
 * Bun, Deno, Cloudflare Workers, Next.js route handlers.
 */
export function trustedDevicesHandler(td: TrustedDevices, options: FetchHandlerOptions = {}): (request: Request) => Promise<Response> {
  const { basePath = '', ...appOptions } = options;
  const app = new Hono().route(basePath === '' ? '/' : basePath, trustedDevicesApp(td, appOptions));
  return async (request) => app.fetch(request);
}

/**
 * Middleware for the host's own Hono routes: authenticates the bearer token
 * and its device, then sets `c.var.trustedDevice`. Sends a 401 JSON error otherwise.
 */
export function requireDevice(td: TrustedDevices, options: HonoAdapterOptions = {}): MiddlewareHandler {
  const clientAddress = options.clientAddress ?? nodeSocketAddress;
  return async (c, next) => {
    const result = await authenticateRequest(td, headersOf(c.req.raw), clientAddress(c));
    if (result.response !== undefined) return toResponse(result.response);
    c.set('trustedDevice', result.auth);
    await next();
  };
}

/** Returns the socket peer on @hono/node-server, which passes the Node request as `c.env.incoming`. */
export const nodeSocketAddress: ClientAddressResolver = (c) => {
  const env = c.env as { incoming?: unknown; server?: { incoming?: unknown } } | undefined;
  if (env?.incoming === undefined && env?.server?.incoming === undefined) return undefined;
  try {
    return getConnInfo(c).remote.address;
  } catch {
    // A destroyed request has no socket left; the address is then unknown.
    return undefined;
  }
};

async function handleRoute(td: TrustedDevices, route: RouteDefinition, c: Context, clientAddress: ClientAddressResolver): Promise<HttpResponse> {
  // Resolved before the body: stopping at the size limit can detach a Node request's socket.
  const socketAddress = clientAddress(c);
  let body: HttpRequest['body'];
  if (route.hasBody) {
    const stream = c.req.raw.body;
    body = stream === null ? { raw: new Uint8Array() } : await readBody(chunksOf(stream), c.req.header('content-length'), td.config.bodyLimitBytes);
  }
  return runRoute(td, route, {
    method: c.req.method,
    path: new URL(c.req.url).pathname,
    headers: headersOf(c.req.raw),
    params: c.req.param(),
    query: queryOf(c),
    socketAddress,
    body,
  });
}

/** Reads a stream through its reader, which every Fetch runtime has; not all make streams async iterable. */
async function* chunksOf(stream: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  const reader = stream.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    // Stops reading an oversized body; the runtime discards the rest.
    void reader.cancel().catch(() => {});
  }
}

/** Query parameters as Node's parser gives them: a string, or an array for a repeated name. */
function queryOf(c: Context): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = {};
  for (const [name, values] of Object.entries(c.req.queries())) query[name] = values.length === 1 ? values[0]! : values;
  return query;
}

function headersOf(request: Request): RequestHeaders {
  const headers: RequestHeaders = {};
  request.headers.forEach((value, name) => {
    headers[name] = value;
  });
  return headers;
}

function toResponse(response: HttpResponse): Response {
  const headers = new Headers(response.headers);
  if (response.status === 204 || (response.body === undefined && response.content === undefined)) {
    return new Response(null, { status: response.status, headers });
  }
  const content = response.content ?? new TextEncoder().encode(JSON.stringify(response.body));
  if (response.content === undefined) headers.set('content-type', JSON_CONTENT_TYPE);
  // Hono responds to HEAD with the GET response's headers, so set the length the GET body has.
  headers.set('content-length', String(typeof content === 'string' ? new TextEncoder().encode(content).byteLength : content.byteLength));
  return new Response(content, { status: response.status, headers });
}
