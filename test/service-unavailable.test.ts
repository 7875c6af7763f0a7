import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { targetLabel, testTargets } from './helpers/targets.js';
import { startTestServer, TEST_PASSWORD, type TestServer } from './helpers/test-server.js';

for (const target of testTargets()) describe(`store failure (${targetLabel(target)})`, () => {
  let server: TestServer;
  let acting: { access: string; refresh: string; device_uid: string };
  let other: { access: string; refresh: string; device_uid: string };

  before(async () => {
    server = await startTestServer({ target, deleteDelayMinutes: 0, updateDelayMinutes: 0 });
    await server.createUser('alice');
    acting = await server.login('alice');
    other = await server.login('alice');
    // Warm the device and user caches, so the failure shows up past them.
    assert.equal((await server.api.get('/trusted-devices', { token: acting.access })).status, 200);
    // Moving the table away makes every device query fail as an unreachable database would.
    await server.db.schema.alterTable('trusted_devices').renameTo('trusted_devices_away').execute();
  });
  after(async () => {
    await server.db.schema.alterTable('trusted_devices_away').renameTo('trusted_devices').execute();
    await server.close();
  });

  it('every device route answers 503 service_unavailable', async () => {
    const calls: [string, string, Record<string, unknown>][] = [
      ['POST', '/api/token', { body: { username: 'alice', password: TEST_PASSWORD } }],
      ['POST', '/api/token/refresh', { body: { refresh: acting.refresh } }],
      ['GET', '/trusted-devices', { token: acting.access }],
      ['PATCH', `/trusted-devices/${other.device_uid}`, { token: acting.access, body: { name: 'x' } }],
      ['DELETE', `/trusted-devices/${other.device_uid}`, { token: acting.access }],
      ['POST', '/trusted-devices/revoke-all', { token: acting.access }],
      ['POST', '/trusted-devices/logout', { token: acting.access }],
    ];
    for (const [method, path, options] of calls) {
      const response = await server.api.request(method, path, options);
      assert.equal(response.status, 503, `${method} ${path}: ${response.text}`);
      assert.equal(response.body.code, 'service_unavailable', `${method} ${path}`);
    }
  });

  it('a failing users table answers 503 at login', async () => {
    await server.db.schema.alterTable('users').renameTo('users_away').execute();
    try {
      const response = await server.api.post('/api/token', { body: { username: 'alice', password: TEST_PASSWORD } });
      assert.equal(response.status, 503);
      assert.equal(response.body.code, 'service_unavailable');
    } finally {
      await server.db.schema.alterTable('users_away').renameTo('users').execute();
    }
  });
});
