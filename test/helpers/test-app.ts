import type { AddressInfo } from 'node:net';

import type { ApiOptions } from '../../src/http/route-table.js';
import { listenFramework } from '../../src/server/listen.js';
import type { TrustedDevices } from '../../src/trusted-devices.js';
import type { TestTarget } from './targets.js';

export interface ListeningApp {
  baseUrl: string;
  close(): Promise<void>;
}

/** Serves the standalone server's app of the target's framework on an ephemeral port of 127.0.0.1. */
export async function listenApp(adapter: TestTarget['adapter'], td: TrustedDevices, api: ApiOptions = {}): Promise<ListeningApp> {
  const listening = await listenFramework(adapter, td, { port: 0, host: '127.0.0.1', api });
  return {
    baseUrl: `http://127.0.0.1:${(listening.server.address() as AddressInfo).port}`,
    async close() {
      listening.server.closeAllConnections();
      await listening.close();
    },
  };
}
