import { Router, type NextFunction, type Request, type RequestHandler, type Response } from 'express';

import { errorResponse } from '../../http/error-response.js';
import { readBodyWithLimit } from '../../http/request-body.js';
import { buildRoutes, clientInfo, runRoute, type RouteDefinition } from '../../http/routes.js';
import type { HttpRequest, HttpResponse } from '../../http/types.js';
import type { AuthContext } from '../../service/authenticate.js';
import type { TrustedDevices } from '../../trusted-devices.js';

declare module 'express-serve-static-core' {
  interface Request {
    /** The user and device of a request that passed `requireDevice`. */
    trustedDevice?: AuthContext;
  }
}

/**
 * An Express 5 router serving the whole wire API: `/api/token…` and
 * `/trusted-devices…`. Mount it under any prefix; paths match with or without
 * a trailing slash.
 */
export function trustedDevicesRouter(td: TrustedDevices): Router {
  const router = Router({ strict: false });
  const routes = buildRoutes(td);

  for (const route of routes) {
    const method = route.method.toLowerCase() as 'get' | 'post' | 'patch' | 'put' | 'delete';
    router[method](route.path, async (req: Request, res: Response) => {
      const request = await toHttpRequest(td, req, route).catch((error: unknown) => error);
      if (request instanceof Error) {
        sendResponse(res, errorResponse(request, td.logger));
        return;
      }
      sendResponse(res, await runRoute(td, route, request as HttpRequest));
    });
  }

  for (const [path, methods] of methodsByPath(routes)) {
    router.all(path, (_req: Request, res: Response) => {
      sendResponse(res, {
        status: 405,
        headers: { allow: methods.join(', ') },
        body: { detail: `Method not allowed. Use ${methods.join(', ')}.`, code: 'method_not_allowed' },
      });
    });
  }
  return router;
}

/**
 * Middleware for the host's own routes: authenticates the bearer token and
 * its device, then sets `req.trustedDevice`. Answers 401 JSON otherwise.
 */
export function requireDevice(td: TrustedDevices): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const client = clientInfo(td, { method: req.method, headers: req.headers, params: {}, socketAddress: req.socket.remoteAddress, body: undefined });
    td.authenticate(req.headers.authorization, client).then(
      (auth) => {
        req.trustedDevice = auth;
        next();
      },
      (error: unknown) => sendResponse(res, errorResponse(error, td.logger)),
    );
  };
}

async function toHttpRequest(td: TrustedDevices, req: Request, route: RouteDefinition): Promise<HttpRequest> {
  let body: HttpRequest['body'];
  if (route.hasBody) {
    // A host-installed body parser (express.json()) has already consumed the stream.
    body = req.body !== undefined ? { parsed: req.body as unknown } : { raw: await readBodyWithLimit(req, req.headers['content-length'], td.config.bodyLimitBytes) };
  }
  return {
    method: req.method,
    headers: req.headers,
    params: req.params as Record<string, string>,
    query: req.query,
    socketAddress: req.socket.remoteAddress,
    body,
  };
}

function sendResponse(res: Response, response: HttpResponse): void {
  if (response.headers !== undefined) res.set(response.headers);
  if (response.status === 204 || response.body === undefined) {
    res.status(response.status).end();
    return;
  }
  res.status(response.status).json(response.body);
}

function methodsByPath(routes: RouteDefinition[]): Map<string, string[]> {
  const byPath = new Map<string, string[]>();
  for (const route of routes) {
    const methods = byPath.get(route.path) ?? [];
    methods.push(route.method);
    byPath.set(route.path, methods);
  }
  return byPath;
}

