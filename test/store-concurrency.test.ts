import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import type { ApiResponse } from './helpers/http-client.js';
import { targetLabel, testTargets } from './helpers/targets.js';
import { startTestServer, TEST_PASSWORD, type TestServer } from './helpers/test-server.js';

for (const target of testTargets()) describe(`device rules under concurrency (${targetLabel(target)})`, () => {
  let server: TestServer;

  before(async () => {
    server = await startTestServer({ target, maxDevicesPerUser: 3, deleteDelayMinutes: 0 });
  });
  after(() => server.close());

  const devicesOf = async (userId: string) =>
    server.db.selectFrom('trusted_devices').select('device_uid').where('user_id', '=', userId).execute();
  const loginRequest = (username: string) => server.api.post('/api/token', { body: { username, password: TEST_PASSWORD } });
  const statusesOf = (responses: ApiResponse[]) => responses.map((response) => `${response.status} ${response.body?.code ?? ''}`.trim());

  it('50 concurrent logins leave 3 devices', async () => {
    const userId = await server.createUser('racer');

    const responses = await Promise.all(Array.from({ length: 50 }, () => loginRequest('racer')));

    assert.deepEqual(new Set(statusesOf(responses)), new Set(['200']));
    assert.equal((await devicesOf(userId)).length, 3);
    const evicted = server.events.deviceRevoked.filter((event) => event.reason === 'evicted' && event.device.userId === userId);
    assert.equal(evicted.length, 47);
  });

  it('revoke-all racing logins leaves no earlier device', async () => {
    const userId = await server.createUser('reviver');
    const earlier = await Promise.all([server.login('reviver'), server.login('reviver')]);

    for (let round = 0; round < 5; round++) {
      const before = (await devicesOf(userId)).map((row) => row.device_uid);
      const [revokedCount, ...logins] = await Promise.all([
        server.td.revokeAllDevices(userId),
        ...Array.from({ length: 8 }, () => loginRequest('reviver')),
      ]);

      assert.deepEqual(new Set(statusesOf(logins)), new Set(['200']), `round ${round}`);
      const remaining = (await devicesOf(userId)).map((row) => row.device_uid);
      for (const deviceUid of before) assert.ok(!remaining.includes(deviceUid), `round ${round}: ${deviceUid} survived revoke-all`);
      // Every login either ran before the revoke (and lost its device) or after it (and kept it, up to the limit of 3).
      assert.ok(revokedCount >= before.length, `round ${round}: revoked ${revokedCount} of ${before.length}`);
      assert.ok(remaining.length <= 3, `round ${round}: ${remaining.length} devices`);
    }
    for (const pair of earlier) {
      const response = await server.api.get('/trusted-devices', { token: pair.access });
      assert.equal(response.body.code, 'device_not_recognized');
    }
  });

  it('revoke-all over HTTP racing logins and deletes never fails', async () => {
    const userId = await server.createUser('mixer');
    const actor = await server.login('mixer');
    const others = await Promise.all([server.login('mixer'), server.login('mixer')]);

    const responses = await Promise.all([
      server.api.post('/trusted-devices/revoke-all', { token: actor.access }),
      ...others.map((pair) => server.api.delete(`/trusted-devices/${pair.device_uid}`, { token: actor.access })),
      ...others.map((pair) => server.api.post('/trusted-devices/logout', { token: pair.access })),
      ...Array.from({ length: 6 }, () => loginRequest('mixer')),
    ]);

    for (const status of statusesOf(responses)) {
      assert.match(status, /^(200|204|404 not_found|401 device_not_recognized)$/);
    }
    const remaining = (await devicesOf(userId)).map((row) => row.device_uid);
    for (const pair of others) assert.ok(!remaining.includes(pair.device_uid));
    assert.ok(remaining.length <= 3);
  });

  it('usernames differing in case are distinct users', async () => {
    const lower = await server.createUser('casey');
    const upper = await server.createUser('Casey');
    assert.notEqual(lower, upper);
    await server.login('Casey');
    assert.equal((await devicesOf(lower)).length, 0);
    assert.equal((await devicesOf(upper)).length, 1);
  });
});
