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

  // Each path's methods and its 405 fallback are registered together, fixed
  // paths first, so `DELETE /trusted-devices/logout` gets 405 instead of
  // reaching `/trusted-devices/:deviceUid` as a device_uid of "logout".
  for (const [path, pathRoutes] of routesByPath(routes)) {
    for (const route of pathRoutes) {
      const method = route.method.toLowerCase() as 'get' | 'post' | 'patch' | 'put' | 'delete';
      router[method](path, async (req: Request, res: Response) => {
        sendResponse(res, await runRoute(td, route, await toHttpRequest(td, req, route)));
      });
    }

    const methods = pathRoutes.map((route) => route.method);
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
  // Read before the body: stopping at the size limit destroys the stream and detaches `req.socket`.
  const socketAddress = req.socket.remoteAddress;
  let body: HttpRequest['body'];
  if (route.hasBody) {
    // A host-installed body parser (express.json()) has already consumed the stream.
    if (req.body !== undefined) {
      body = { parsed: req.body as unknown };
    } else {
      // A body that cannot be read fails in the route, so the route logs it like any other rejection.
      body = await readBodyWithLimit(req, req.headers['content-length'], td.config.bodyLimitBytes).then(
        (raw) => ({ raw }),
        (error: unknown) => ({ error }),
      );
    }
  }
  return {
    method: req.method,
    headers: req.headers,
    params: req.params as Record<string, string>,
    query: req.query,
    socketAddress,
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

/** Groups routes by path, parameterised paths after the fixed ones. */
function routesByPath(routes: RouteDefinition[]): [string, RouteDefinition[]][] {
  const byPath = new Map<string, RouteDefinition[]>();
  for (const route of routes) {
    const list = byPath.get(route.path) ?? [];
    list.push(route);
    byPath.set(route.path, list);
  }
  return [...byPath].sort(([a], [b]) => Number(a.includes(':')) - Number(b.includes(':')));
}
