import express, { type Express, type NextFunction, type Request, type Response } from 'express';

import { requireDevice, trustedDevicesRouter } from '../adapters/express/index.js';
import type { TrustedDevices } from '../trusted-devices.js';

/**
 * Builds the standalone server's Express app: the wire API at the root, a
 * health check, and `/api/me` as an example of a host route behind `requireDevice`.
 */
export interface AppOptions {
  /** Registers more routes beside `/api/me`, before the 404 fallback, such as the benchmarks' floor routes. Default: none. */
  addRoutes?: (app: Express) => void;
}

export function createApp(td: TrustedDevices, options: AppOptions = {}): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);

  app.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.use(trustedDevicesRouter(td));
  app.get('/api/me', requireDevice(td), (req, res) => {
    const auth = req.trustedDevice!;
    res.json({ user_id: auth.user.id, device_uid: auth.device.deviceUid });
  });
  options.addRoutes?.(app);

  app.use((_req, res) => {
    res.status(404).json({ detail: 'Not found.', code: 'not_found' });
  });
  // Express reaches this only for errors thrown outside the API's own handlers.
  app.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    td.logger.error({ err: error }, 'unhandled error');
    res.status(500).json({ detail: 'Internal server error.', code: 'internal_error' });
  });
  return app;
}
