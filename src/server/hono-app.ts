import { Hono } from 'hono';

import { requireDevice, trustedDevicesApp } from '../adapters/hono/index.js';
import type { ApiOptions } from '../http/route-table.js';
import { JSON_CONTENT_TYPE } from '../http/types.js';
import type { TrustedDevices } from '../trusted-devices.js';
import { HEALTH_BODY, INTERNAL_ERROR_BODY, NOT_FOUND_BODY, meBody } from './app-bodies.js';

/** Builds the standalone server's Hono app, which responds exactly as the Express one in `app.ts`. */
export function createHonoApp(td: TrustedDevices, apiOptions: ApiOptions = {}): Hono {
  // Express matches the host routes with or without a trailing slash; so does this app.
  const app = new Hono({ strict: false });

  app.get('/health', () => jsonResponse(200, HEALTH_BODY));
  app.route('/', trustedDevicesApp(td, apiOptions));
  app.get('/api/me', requireDevice(td), (c) => jsonResponse(200, meBody(c.get('trustedDevice'))));

  app.notFound(() => jsonResponse(404, NOT_FOUND_BODY));
  app.onError((error) => {
    td.logger.error({ err: error }, 'unhandled error');
    return jsonResponse(500, INTERNAL_ERROR_BODY);
  });
  return app;
}

/** Hono's `c.json` sends no charset; Express and Fastify do. */
function jsonResponse(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': JSON_CONTENT_TYPE } });
}
