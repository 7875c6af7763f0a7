import type { Server } from 'node:http';

import { serve } from '@hono/node-server';
import type { FastifyReply } from 'fastify';

import { createApp } from '../src/server/app.js';
import { createFastifyApp } from '../src/server/fastify-app.js';
import { createHonoApp } from '../src/server/hono-app.js';
import { HEADERS_TIMEOUT_MS, REQUEST_TIMEOUT_MS } from '../src/server/listen.js';
import { JSON_CONTENT_TYPE } from '../src/http/types.js';
import type { TrustedDevices } from '../src/trusted-devices.js';
import { BARE_FLOOR_PATH, bareFloor, JWT_FLOOR_PATH, jwtFloor, type FloorBody } from './floor-routes.js';

/** The frameworks the benchmarks can drive, as the standalone server names them. */
export const BENCH_FRAMEWORKS = ['express', 'fastify', 'hono'] as const;
export type BenchFramework = (typeof BENCH_FRAMEWORKS)[number];

/**
 * Starts the standalone server's app of one framework on `host:port`, plus the
 * two floor routes, placed where they measure what the framework alone costs:
 * - Express tries routes in registration order, so the floors come first and
 *   pass neither the API's router nor `/api/me`, as in a bare Express app.
 *   `/api/me` comes after the API's router, as in the standalone server, so
 *   its rate includes walking that router: a cost every host route behind
 *   the router pays.
 * - Fastify and Hono match a request in one lookup (a radix tree, one
 *   compiled regular expression) whatever the order; the app holds no
 *   global hook or middleware, so the floors run their handler alone.
 */
export async function listenBenchApp(framework: BenchFramework, td: TrustedDevices, signingKey: string, host: string, port: number): Promise<Server> {
  const server = await listenApp(framework, td, signingKey, host, port);
  // The standalone server's limits, as `listenFramework` sets them.
  server.requestTimeout = REQUEST_TIMEOUT_MS;
  server.headersTimeout = HEADERS_TIMEOUT_MS;
  return server;
}

async function listenApp(framework: BenchFramework, td: TrustedDevices, signingKey: string, host: string, port: number): Promise<Server> {
  const verifyFloor = jwtFloor(signingKey);
  switch (framework) {
    case 'express': {
      const app = createApp(td, {
        addRoutes(app) {
          app.get(BARE_FLOOR_PATH, (_req, res) => {
            const floor = bareFloor();
            res.status(floor.status).json(floor.body);
          });
          app.get(JWT_FLOOR_PATH, (req, res) => {
            const floor = verifyFloor(req.headers.authorization);
            res.status(floor.status).json(floor.body);
          });
        },
      });
      const server = app.listen(port, host);
      await whenListening(server);
      return server;
    }
    case 'fastify': {
      const app = await createFastifyApp(td);
      app.get(BARE_FLOOR_PATH, (_request, reply) => sendFloor(reply, bareFloor()));
      app.get(JWT_FLOOR_PATH, (request, reply) => sendFloor(reply, verifyFloor(request.headers.authorization)));
      await app.listen({ port, host });
      return app.server;
    }
    case 'hono': {
      const app = createHonoApp(td);
      app.get(BARE_FLOOR_PATH, () => floorResponse(bareFloor()));
      app.get(JWT_FLOOR_PATH, (c) => floorResponse(verifyFloor(c.req.header('authorization'))));
      const server = serve({ fetch: app.fetch, port, hostname: host }) as Server;
      await whenListening(server);
      return server;
    }
  }
}

function sendFloor(reply: FastifyReply, floor: FloorBody): FastifyReply {
  return reply.code(floor.status).send(floor.body);
}

/** As the Hono app answers `/api/me`: a JSON body with the same content type. */
function floorResponse(floor: FloorBody): Response {
  return new Response(JSON.stringify(floor.body), { status: floor.status, headers: { 'content-type': JSON_CONTENT_TYPE } });
}

function whenListening(server: Server): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
}
