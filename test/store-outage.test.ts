import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { SERVER_URLS } from './helpers/database-servers.js';
import type { ApiResponse } from './helpers/http-client.js';
import { serverDatabases } from './helpers/targets.js';
import { TcpProxy } from './helpers/tcp-proxy.js';
import { startTestServer, TEST_PASSWORD, type TestServer } from './helpers/test-server.js';

/** Short driver timeouts, so requests to a stalled database fail with 503 quickly. */
const TIMEOUT_MS = 1_000;
/** Attempts to wait for recovery, one per 100 ms; the pool reconnects on the next request that needs a connection. */
const RECOVERY_ATTEMPTS = 100;

for (const database of serverDatabases()) describe(`database outage (express, ${database})`, { timeout: 60_000 }, () => {
  let proxy: TcpProxy;
  let server: TestServer;
  let userId: string;

  before(async () => {
    const upstream = new URL(SERVER_URLS[database]);
    proxy = await TcpProxy.start({ host: upstream.hostname, port: Number(upstream.port) });
    server = await startTestServer({
      target: { adapter: 'express', database },
      databaseOptions: { via: { host: '127.0.0.1', port: proxy.port }, connectTimeoutMs: TIMEOUT_MS, queryTimeoutMs: TIMEOUT_MS },
    });
    userId = await server.createUser('alice');
  });
  after(async () => {
    proxy.setMode('forward');
    await server.close();
    await proxy.close();
  });

  const login = () => server.api.post('/api/token', { body: { username: 'alice', password: TEST_PASSWORD } });
  const assertUnavailable = (response: ApiResponse, what: string) => {
    assert.equal(response.status, 503, `${what}: ${response.text}`);
    assert.equal(response.body.code, 'service_unavailable', what);
  };
  const deviceCount = async () => (await server.db.selectFrom('trusted_devices').select('device_uid').where('user_id', '=', userId).execute()).length;

  async function waitForRecovery(): Promise<ApiResponse> {
    let response = await login();
    for (let attempt = 1; response.status !== 200 && attempt < RECOVERY_ATTEMPTS; attempt++) {
      assertUnavailable(response, `login while recovering, attempt ${attempt}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
      response = await login();
    }
    return response;
  }

  for (const mode of ['refuse', 'stall'] as const) {
    it(`a ${mode === 'refuse' ? 'refused' : 'stalled'} database fails with 503, then recovers`, async () => {
      const pair = await server.login('alice');
      assert.equal((await server.api.get('/trusted-devices', { token: pair.access })).status, 200);
      const devicesBefore = await deviceCount();

      proxy.setMode(mode);
      assertUnavailable(await login(), 'login');
      assertUnavailable(await server.api.get('/trusted-devices', { token: pair.access }), 'device list');
      assertUnavailable(await server.api.post('/api/token/refresh', { body: { refresh: pair.refresh } }), 'refresh');
      assertUnavailable(await server.api.post('/trusted-devices/logout', { token: pair.access }), 'logout');
      // The device cache still serves authenticated requests of a device it holds.
      assert.equal((await server.api.get('/api/me', { token: pair.access })).status, 200);

      proxy.setMode('forward');
      const recovered = await waitForRecovery();
      assert.equal(recovered.status, 200);
      assert.equal((await server.api.get('/trusted-devices', { token: pair.access })).status, 200);
      // The failed login and logout wrote nothing; the recovery login added one device.
      assert.equal(await deviceCount(), devicesBefore + 1);
    });
  }
});
