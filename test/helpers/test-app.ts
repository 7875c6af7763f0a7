import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { createApp } from '../../src/server/app.js';
import type { TrustedDevices } from '../../src/trusted-devices.js';
import type { TestTarget } from './targets.js';

export interface ListeningApp {
  baseUrl: string;
  close(): Promise<void>;
}

/** Serves the standalone server's app of the target's framework on an ephemeral port of 127.0.0.1. */
export async function listenApp(adapter: TestTarget['adapter'], td: TrustedDevices): Promise<ListeningApp> {
  switch (adapter) {
    case 'express': {
      const server: Server = createApp(td).listen(0, '127.0.0.1');
      await new Promise<void>((resolve) => server.once('listening', resolve));
      return {
        baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        async close() {
          server.closeAllConnections();
          await new Promise<void>((resolve) => server.close(() => resolve()));
        },
      };
    }
  }
}
