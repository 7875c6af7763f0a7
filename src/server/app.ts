import express, { type Express, type NextFunction, type Request, type Response } from 'express';

import { requireDevice, trustedDevicesRouter } from '../adapters/express/index.js';
import type { ApiOptions } from '../http/route-table.js';
import type { TrustedDevices } from '../trusted-devices.js';
import { HEALTH_BODY, INTERNAL_ERROR_BODY, NOT_FOUND_BODY, meBody } from './app-bodies.js';

export interface AppOptions {
  /** Paths of the OpenAPI document and Swagger UI page. Default: the document at `/openapi.json`, no page. */
  api?: ApiOptions;
  /**
   * Registers more routes ahead of all others, such as the benchmarks' floor
   * routes: Express tries routes in order, so these pass no other route. Default: none.
   */
  addRoutes?: (app: Express) => void;
}

/**
 * Builds the standalone server's Express app: the wire API at the root, a
 * health check, and `/api/me` as an example of a host route behind `requireDevice`.
 */
export function createApp(td: TrustedDevices, options: AppOptions = {}): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  options.addRoutes?.(app);

  app.get('/health', (_req, res) => {
    res.json(HEALTH_BODY);
  });
  app.use(trustedDevicesRouter(td, options.api));
  app.get('/api/me', requireDevice(td), (req, res) => {
    res.json(meBody(req.trustedDevice!));
  });

  app.use((_req, res) => {
    res.status(404).json(NOT_FOUND_BODY);
  });
  // Express reaches this only for errors thrown outside the API's own handlers.
  app.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    td.logger.error({ err: error }, 'unhandled error');
    res.status(500).json(INTERNAL_ERROR_BODY);
  });
  return app;
}
