import type { Server } from 'node:http';

import { serve } from '@hono/node-server';

import type { ApiOptions } from '../http/route-table.js';
import type { TrustedDevices } from '../trusted-devices.js';
import { createApp } from './app.js';
import { createFastifyApp } from './fastify-app.js';
import { createHonoApp } from './hono-app.js';

/** The frameworks the standalone server runs on; the first is the default. */
export const FRAMEWORKS = ['express', 'fastify', 'hono'] as const;
export type Framework = (typeof FRAMEWORKS)[number];

export interface ListenOptions {
  port: number;
  host: string;
  api?: ApiOptions;
}

export interface ListeningServer {
  /** The Node HTTP server, for its address and to close connections. */
  server: Server;
  /** Stops accepting connections and resolves when the open ones have ended. */
  close(): Promise<void>;
}

/** Serves the standalone server's app of one framework. Rejects when it cannot listen. */
export async function listenFramework(framework: Framework, td: TrustedDevices, options: ListenOptions): Promise<ListeningServer> {
  switch (framework) {
    case 'express': {
      const server = createApp(td, { api: options.api }).listen(options.port, options.host);
      await whenListening(server);
      return { server, close: () => closeServer(server) };
    }
    case 'fastify': {
      const app = await createFastifyApp(td, options.api);
      await app.listen({ port: options.port, host: options.host });
      return { server: app.server, close: () => app.close() };
    }
    case 'hono': {
      const app = createHonoApp(td, options.api);
      const server = serve({ fetch: app.fetch, port: options.port, hostname: options.host }) as Server;
      await whenListening(server);
      return { server, close: () => closeServer(server) };
    }
  }
}

function whenListening(server: Server): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise<void>((resolve) => server.close(() => resolve()));
}
