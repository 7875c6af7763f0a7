import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';

import { serve } from '@hono/node-server';
import express from 'express';
import Fastify from 'fastify';
import { Hono } from 'hono';

import { requireDevice as expressRequireDevice, trustedDevicesRouter } from '../src/adapters/express/index.js';
import { trustedDevices } from '../src/adapters/fastify/index.js';
import { requireDevice as honoRequireDevice, trustedDevicesApp, trustedDevicesHandler } from '../src/adapters/hono/index.js';
import { createTrustedDevices, type TrustedDevices } from '../src/trusted-devices.js';
import { SqlUserStore } from '../src/users/sql-user-store.js';
import { openSqlite } from '../src/store/sqlite.js';
import { migrateToLatest } from '../src/store/migrate.js';
import { KyselyStore } from '../src/store/kysely-store.js';
import { sqliteCapabilities } from '../src/store/dialect-capabilities.js';
import { ApiClient } from './helpers/http-client.js';
import { TEST_PASSWORD, TEST_SCRYPT } from './helpers/test-server.js';

/** Host apps written as the README shows: the API under /auth and a host route behind the guard. */
const HOSTS: Record<string, (td: TrustedDevices) => Promise<Server>> = {
  async express(td) {
    const app = express();
    app.use('/auth', trustedDevicesRouter(td));
    app.get('/orders', expressRequireDevice(td), (req, res) => {
      res.json({ user: req.trustedDevice!.user.id });
    });
    return listening(app.listen(0, '127.0.0.1'));
  },
  async fastify(td) {
    const app = Fastify();
    await app.register(trustedDevices, { td, prefix: '/auth' });
    app.get('/orders', { onRequest: app.requireDevice }, (request) => ({ user: request.trustedDevice!.user.id }));
    await app.listen({ port: 0, host: '127.0.0.1' });
    return app.server;
  },
  async hono(td) {
    const app = new Hono();
    app.route('/auth', trustedDevicesApp(td));
    app.get('/orders', honoRequireDevice(td), (c) => c.json({ user: c.var.trustedDevice.user.id }));
    return listening(serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }) as Server);
  },
};

async function listening(server: Server): Promise<Server> {
  if (!server.listening) await new Promise((resolve) => server.once('listening', resolve));
  return server;
}

describe('mounted in a host app', () => {
  let td: TrustedDevices;

  before(async () => {
    const db = openSqlite(':memory:');
    await migrateToLatest(db as never, { includeUsers: true });
    const users = new SqlUserStore(db, { scrypt: TEST_SCRYPT });
    await users.createUser('alice', TEST_PASSWORD);
    td = await createTrustedDevices({ signingKey: randomBytes(32).toString('hex'), users, store: new KyselyStore(db, sqliteCapabilities) });
  });
  after(() => td.close());

  for (const [framework, host] of Object.entries(HOSTS)) {
    it(`${framework} serves the API under a prefix`, async () => {
      const server = await host(td);
      try {
        const root = new ApiClient(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
        const api = new ApiClient(`${root.baseUrl}/auth`);

        const login = await api.post('/api/token', { body: { username: 'alice', password: TEST_PASSWORD } });
        assert.equal(login.status, 200);
        assert.equal((await api.get('/trusted-devices/', { token: login.body.access })).status, 200);
        // A plain fetch: this client's base URL is not the API's mount point, so its responses are not recorded.
        assert.equal((await fetch(`${root.baseUrl}/api/token`)).status, 404);

        const orders = await root.get('/orders', { token: login.body.access });
        assert.equal(orders.status, 200);
        assert.equal(typeof orders.body.user, 'string');
        const rejected = await root.get('/orders');
        assert.equal(rejected.status, 401);
        assert.equal(rejected.body.code, 'not_authenticated');
        assert.equal(rejected.headers.get('www-authenticate'), 'Bearer realm="api"');

        const document = await api.get('/openapi.json');
        assert.equal(document.status, 200);
        assert.deepEqual(document.body.servers, [{ url: '/auth' }]);
      } finally {
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
      }
    });
  }

  it('Fetch handler answers a Request without a server', async () => {
    const handler = trustedDevicesHandler(td, { basePath: '/api/auth', clientAddress: () => '192.0.2.10' });
    const login = await handler(
      new Request('http://localhost/api/auth/api/token', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'alice', password: TEST_PASSWORD }),
      }),
    );
    assert.equal(login.status, 200);
    const { access } = (await login.json()) as { access: string };

    const list = await handler(new Request('http://localhost/api/auth/trusted-devices', { headers: { authorization: `Bearer ${access}` } }));
    assert.equal(list.status, 200);
    const devices = (await list.json()) as { ip_address: string; is_current: boolean }[];
    assert.equal(devices.find((device) => device.is_current)?.ip_address, '192.0.2.10');
  });

  it('Fetch handler without an address resolver records 0.0.0.0', async () => {
    const handler = trustedDevicesHandler(td);
    const login = await handler(
      new Request('http://localhost/api/token', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'alice', password: TEST_PASSWORD }),
      }),
    );
    assert.equal(login.status, 200);
    const { access } = (await login.json()) as { access: string };
    const list = await handler(new Request('http://localhost/trusted-devices', { headers: { authorization: `Bearer ${access}` } }));
    const devices = (await list.json()) as { ip_address: string; is_current: boolean }[];
    assert.equal(devices.find((device) => device.is_current)?.ip_address, '0.0.0.0');
  });
});
