import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';

import express from 'express';

import { requireDevice, trustedDevicesRouter } from '../src/adapters/express/index.js';
import { ApiClient } from './helpers/http-client.js';
import { startTestServer, TEST_PASSWORD, type TestServer } from './helpers/test-server.js';

/** A host app that parses JSON itself and mounts the router under a prefix. */
describe('Express router in a host app with express.json()', () => {
  let server: TestServer;
  let host: Server;
  let api: ApiClient;

  before(async () => {
    server = await startTestServer({ updateDelayMinutes: 0 });
    await server.createUser('alice');
    const app = express();
    app.use(express.json({ limit: '1mb' }));
    app.use('/auth', trustedDevicesRouter(server.td));
    app.get('/private', requireDevice(server.td), (req, res) => {
      res.json({ device_uid: req.trustedDevice!.device.deviceUid });
    });
    host = app.listen(0, '127.0.0.1');
    await new Promise<void>((resolve) => host.once('listening', resolve));
    api = new ApiClient(`http://127.0.0.1:${(host.address() as AddressInfo).port}`);
  });
  after(async () => {
    host.closeAllConnections();
    await new Promise<void>((resolve) => host.close(() => resolve()));
    await server.close();
  });

  it('serves the API under the prefix on parsed bodies', async () => {
    const login = await api.post('/auth/api/token/', { body: { username: 'alice', password: TEST_PASSWORD } });
    assert.equal(login.status, 200);
    const other = await server.login('alice');

    const renamed = await api.patch(`/auth/trusted-devices/${other.device_uid}`, { token: login.body.access, body: { name: 'Laptop' } });
    assert.equal(renamed.status, 200);
    assert.equal(renamed.body.name, 'Laptop');
    const privateRoute = await api.get('/private', { token: login.body.access });
    assert.deepEqual(privateRoute.body, { device_uid: login.body.device_uid });
  });

  it('parsed bodies still get validated', async () => {
    const response = await api.post('/auth/api/token', { body: ['alice'] });
    assert.equal(response.status, 400);
    assert.equal(response.body.code, 'invalid');
  });

  it('parsed bodies over the limit are payload_too_large', async () => {
    const before = await server.snapshot();
    const response = await api.post('/auth/api/token', { body: { username: 'alice', password: TEST_PASSWORD, padding: 'p'.repeat(16 * 1024) } });

    assert.equal(response.status, 413);
    assert.equal(response.body.code, 'payload_too_large');
    assert.deepEqual(await server.snapshot(), before);
  });

  it('requireDevice rejects a missing token with JSON', async () => {
    const response = await api.get('/private');
    assert.equal(response.status, 401);
    assert.equal(response.body.code, 'not_authenticated');
  });
});
