import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';

import { targetLabel, testTargets } from './helpers/targets.js';
import { startTestServer, TEST_PASSWORD, type TestServer } from './helpers/test-server.js';

for (const target of testTargets()) describe(`eviction (${targetLabel(target)})`, () => {
  let server: TestServer;
  afterEach(() => server.close());

  it('20 concurrent logins with a limit of 3 keep 3 devices', async () => {
    server = await startTestServer({ target, maxDevicesPerUser: 3 });
    await server.createUser('alice');

    const responses = await Promise.all(
      Array.from({ length: 20 }, () => server.api.post('/api/token', { body: { username: 'alice', password: TEST_PASSWORD } })),
    );
    assert.deepEqual(new Set(responses.map((response) => response.status)), new Set([200]));

    const rows = await server.snapshot();
    assert.equal(rows.length, 3);
    const created = server.events.deviceCreated.map((event) => event.device.deviceUid);
    const revoked = server.events.deviceRevoked.map((event) => event.device.deviceUid);
    assert.equal(created.length, 20);
    assert.equal(revoked.length, 17);
    assert.equal(new Set(revoked).size, 17);
    assert.deepEqual(new Set(server.events.deviceRevoked.map((event) => event.reason)), new Set(['evicted']));
    const kept = rows.map((row: any) => row.device_uid as string);
    assert.deepEqual([...kept, ...revoked].sort(), [...created].sort());
  });

  it('evicts the least recently seen device', async () => {
    server = await startTestServer({ target, maxDevicesPerUser: 2, accessTokenLifetime: '1h' });
    await server.createUser('alice');
    const oldest = await server.login('alice');
    server.clock.advanceMinutes(1);
    const middle = await server.login('alice');
    server.clock.advanceMinutes(1);
    // Seen last, so the middle device becomes the least recently seen.
    await server.api.post('/api/token/refresh', { body: { refresh: oldest.refresh } });
    server.clock.advanceMinutes(1);
    const newest = await server.login('alice');

    const kept = (await server.snapshot()).map((row: any) => row.device_uid).sort();
    assert.deepEqual(kept, [oldest.device_uid, newest.device_uid].sort());
    assert.deepEqual(server.events.deviceRevoked.map((event) => [event.device.deviceUid, event.reason]), [[middle.device_uid, 'evicted']]);
    const evictedRequest = await server.api.get('/trusted-devices', { token: middle.access });
    assert.equal(evictedRequest.body.code, 'device_not_recognized');
  });

  it('counts each user separately', async () => {
    server = await startTestServer({ target, maxDevicesPerUser: 1 });
    await server.createUser('alice');
    await server.createUser('bob');
    await server.login('alice');
    await server.login('bob');

    assert.equal((await server.snapshot()).length, 2);
    assert.equal(server.events.deviceRevoked.length, 0);
  });
});
