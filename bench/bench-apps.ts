import type { Server } from 'node:http';

import { createApp } from '../src/server/app.js';
import type { TrustedDevices } from '../src/trusted-devices.js';
import { BARE_FLOOR_PATH, bareFloor, JWT_FLOOR_PATH, jwtFloor } from './floor-routes.js';

/** The frameworks the benchmarks can drive, as the standalone server names them. */
export const BENCH_FRAMEWORKS = ['express'] as const;
export type BenchFramework = (typeof BENCH_FRAMEWORKS)[number];

/**
 * Starts the standalone server's app of one framework on `host:port`, plus the
 * two floor routes. The floors are registered beside `/api/me`, so they pass
 * the same routing and middleware as the authenticated route they are compared with.
 */
export async function listenBenchApp(framework: BenchFramework, td: TrustedDevices, signingKey: string, host: string, port: number): Promise<Server> {
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
      await new Promise<void>((resolve, reject) => {
        server.once('listening', resolve);
        server.once('error', reject);
      });
      return server;
    }
  }
}
