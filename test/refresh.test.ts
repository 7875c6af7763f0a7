import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';

import { targetLabel, testTargets } from './helpers/targets.js';
import { startTestServer, type TestOptions, type TestServer } from './helpers/test-server.js';

for (const target of testTargets()) describe(`refresh and account state (${targetLabel(target)})`, () => {
  const servers: TestServer[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => server.close()));
  });
  const start = async (options: TestOptions = {}) => {
    const server = await startTestServer({ target, ...options });
    servers.push(server);
    await server.createUser('alice');
    return server;
  };

  it('two concurrent refreshes of one token get the same pair', async () => {
    const server = await start();
    const pair = await server.login('alice');

    const responses = await Promise.all(
      Array.from({ length: 5 }, () => server.api.post('/api/token/refresh', { body: { refresh: pair.refresh } })),
    );
    for (const response of responses) {
      assert.equal(response.status, 200, response.text);
      assert.deepEqual(response.body, responses[0]!.body);
    }
    assert.equal(server.events.deviceRevoked.length, 0);
    const next = await server.api.post('/api/token/refresh', { body: { refresh: responses[0]!.body.refresh } });
    assert.equal(next.status, 200);
  });

  it('the previous token within the grace window returns the current pair', async () => {
    const server = await start();
    const pair = await server.login('alice');
    const first = await server.api.post('/api/token/refresh', { body: { refresh: pair.refresh } });
    server.clock.advance(10_000);

    const again = await server.api.post('/api/token/refresh', { body: { refresh: pair.refresh } });
    assert.equal(again.status, 200);
    assert.deepEqual(again.body, first.body);
  });

  it('a token two rotations old is reuse', async () => {
    const server = await start();
    const pair = await server.login('alice');
    server.clock.advance(1_000);
    const first = await server.api.post('/api/token/refresh', { body: { refresh: pair.refresh } });
    server.clock.advance(1_000);
    await server.api.post('/api/token/refresh', { body: { refresh: first.body.refresh } });

    const reused = await server.api.post('/api/token/refresh', { body: { refresh: pair.refresh } });
    assert.equal(reused.status, 401);
    assert.equal(reused.body.code, 'device_compromised');
    assert.deepEqual(await server.snapshot(), []);
  });

  it('without rotation refresh returns only an access token', async () => {
    const server = await start({ rotateRefreshTokens: false });
    const pair = await server.login('alice');
    server.clock.advance(1_000);

    for (let i = 0; i < 2; i++) {
      const response = await server.api.post('/api/token/refresh', { body: { refresh: pair.refresh } });
      assert.equal(response.status, 200);
      assert.deepEqual(Object.keys(response.body), ['access']);
      assert.equal((await server.api.get('/trusted-devices', { token: response.body.access })).status, 200);
    }
  });

  it('an expired refresh token is token_not_valid and changes nothing', async () => {
    const server = await start();
    const pair = await server.login('alice');
    server.clock.advance(24 * 3600 * 1000);
    const before = await server.snapshot();

    const response = await server.api.post('/api/token/refresh', { body: { refresh: pair.refresh } });
    assert.equal(response.status, 401);
    assert.equal(response.body.code, 'token_not_valid');
    assert.deepEqual(await server.snapshot(), before);
  });

  it('a deleted user is inactive_account on refresh, verify and requests', async () => {
    const server = await start({ userCacheSeconds: 30 });
    const pair = await server.login('alice');
    assert.equal((await server.api.get('/trusted-devices', { token: pair.access })).status, 200);
    await server.users.deleteUser('alice');

    assert.equal((await server.api.post('/api/token/refresh', { body: { refresh: pair.refresh } })).body.code, 'inactive_account');
    assert.equal((await server.api.post('/api/token/verify', { body: { token: pair.access } })).body.code, 'inactive_account');
    // Requests read the user through a cache of userCacheSeconds.
    server.clock.advance(30_000);
    const request = await server.api.get('/trusted-devices', { token: pair.access });
    assert.equal(request.status, 401);
    assert.equal(request.body.code, 'inactive_account');
  });

  it('revokeAllDevices signs out every device at once', async () => {
    const server = await start();
    const pairs = [await server.login('alice'), await server.login('alice')];
    assert.equal((await server.api.get('/trusted-devices', { token: pairs[0]!.access })).status, 200);

    const count = await server.td.revokeAllDevices((await server.users.findByUsername('alice'))!.id);
    assert.equal(count, 2);
    for (const pair of pairs) {
      assert.equal((await server.api.get('/trusted-devices', { token: pair.access })).body.code, 'device_not_recognized');
      assert.equal((await server.api.post('/api/token/refresh', { body: { refresh: pair.refresh } })).body.code, 'device_not_recognized');
    }
    assert.equal(await server.td.revokeAllDevices('no-such-user'), 0);
  });
});
