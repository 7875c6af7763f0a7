import type { Server } from 'node:http';

import type { ApiOptions } from '../http/route-table.js';
import type { TrustedDevices } from '../trusted-devices.js';
import { createApp } from './app.js';

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

/**
 * Time a client gets to send a whole request, in milliseconds. Node's default
 * of 300 s lets a slow client hold a connection with a body trickling in.
 */
export const REQUEST_TIMEOUT_MS = 30_000;
/** Time a client gets to send the request headers, in milliseconds. */
export const HEADERS_TIMEOUT_MS = 10_000;

/** Serves the standalone server's app of one framework. Rejects when it cannot listen. */
export async function listenFramework(framework: Framework, td: TrustedDevices, options: ListenOptions): Promise<ListeningServer> {
  const listening = await listenOn(framework, td, options);
  listening.server.requestTimeout = REQUEST_TIMEOUT_MS;
  listening.server.headersTimeout = HEADERS_TIMEOUT_MS;
  return listening;
}

async function listenOn(framework: Framework, td: TrustedDevices, options: ListenOptions): Promise<ListeningServer> {
  switch (framework) {
    case 'express': {
      const server = createApp(td, { api: options.api }).listen(options.port, options.host);
      await whenListening(server);
      return { server, close: () => closeServer(server) };
    }
    // Fastify and Hono are optional peer dependencies, loaded only when selected.
    case 'fastify': {
      const { createFastifyApp } = await import('./fastify-app.js');
      const app = await createFastifyApp(td, options.api);
      await app.listen({ port: options.port, host: options.host });
      return { server: app.server, close: () => app.close() };
    }
    case 'hono': {
      const [{ serve }, { createHonoApp }] = await Promise.all([import('@hono/node-server'), import('./hono-app.js')]);
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
