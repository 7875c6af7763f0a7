import { Router, type NextFunction, type Request, type RequestHandler, type Response } from 'express';

import { errorResponse } from '../../http/error-response.js';
import { authenticateRequest } from '../../http/guard.js';
import { readBody } from '../../http/request-body.js';
import { buildRouteTable, type ApiOptions } from '../../http/route-table.js';
import { malformedPathError, runRoute, type RouteDefinition } from '../../http/routes.js';
import { JSON_CONTENT_TYPE, type HttpRequest, type HttpResponse } from '../../http/types.js';
import type { AuthContext } from '../../service/authenticate.js';
import type { TrustedDevices } from '../../trusted-devices.js';

export type { ApiOptions } from '../../http/route-table.js';

declare module 'express-serve-static-core' {
  interface Request {
    /** The user and device of a request that passed `requireDevice`. */
    trustedDevice?: AuthContext;
  }
}

/**
 * Creates an Express 5 router serving the whole wire API: `/api/token…`,
 * `/trusted-devices…` and the OpenAPI document. Mount it under any prefix;
 * paths match with or without a trailing slash.
 */
export function trustedDevicesRouter(td: TrustedDevices, options: ApiOptions = {}): Router {
  const router = Router({ strict: true });
  const table = buildRouteTable(td, options);

  for (const { path, routes, methodNotAllowed } of table) {
    for (const route of routes) {
      const method = route.method.toLowerCase() as 'get' | 'post' | 'patch' | 'put' | 'delete';
      router[method](path, async (req: Request, res: Response) => {
        sendResponse(res, await runRoute(td, route, await toHttpRequest(td, req, route)));
      });
    }
    router.all(path, (req: Request, res: Response, next: NextFunction) => {
      if (methodNotAllowed.methods.includes(req.method)) sendResponse(res, methodNotAllowed.respond(requestPath(req)));
      else next();
    });
  }

  // Express decodes path parameters before any handler runs and passes a URIError on.
  router.use((error: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (error instanceof URIError) sendResponse(res, errorResponse(malformedPathError(), td.logger));
    else next(error);
  });
  return router;
}

/**
 * Middleware for the host's own routes: authenticates the bearer token and
 * its device, then sets `req.trustedDevice`. Sends a 401 JSON error otherwise.
 */
export function requireDevice(td: TrustedDevices): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    void authenticateRequest(td, req.headers, req.socket.remoteAddress).then((result) => {
      if (result.response !== undefined) {
        sendResponse(res, result.response);
        return;
      }
      req.trustedDevice = result.auth;
      next();
    });
  };
}

async function toHttpRequest(td: TrustedDevices, req: Request, route: RouteDefinition): Promise<HttpRequest> {
  // Read before the body: stopping at the size limit destroys the stream and detaches `req.socket`.
  const socketAddress = req.socket.remoteAddress;
  let body: HttpRequest['body'];
  if (route.hasBody) {
    // A host-installed body parser (express.json()) has already consumed the stream.
    body = req.body !== undefined ? { parsed: req.body as unknown } : await readBody(req, req.headers['content-length'], td.config.bodyLimitBytes);
  }
  return {
    method: req.method,
    path: requestPath(req),
    headers: req.headers,
    params: req.params as Record<string, string>,
    query: req.query,
    socketAddress,
    body,
  };
}

function requestPath(req: Request): string {
  return req.originalUrl.split('?', 1)[0]!;
}

/**
 * Writes a response with Node's own methods rather than `res.json`, so the
 * host's Express settings (ETag, JSON spaces) leave the wire format alone.
 */
function sendResponse(res: Response, response: HttpResponse): void {
  res.status(response.status);
  if (response.headers !== undefined) {
    for (const [name, value] of Object.entries(response.headers)) res.setHeader(name, value);
  }
  if (response.status === 204 || (response.body === undefined && response.content === undefined)) {
    res.end();
    return;
  }
  const content = response.content ?? JSON.stringify(response.body);
  if (response.content === undefined) res.setHeader('content-type', JSON_CONTENT_TYPE);
  // Set here because Node leaves it out of HEAD responses, while Fastify sends it, as RFC 9110 suggests.
  res.setHeader('content-length', typeof content === 'string' ? Buffer.byteLength(content) : content.byteLength);
  res.end(content);
}
