import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { targetLabel, testTargets } from './helpers/targets.js';
import { startTestServer, TEST_PASSWORD, type TestServer } from './helpers/test-server.js';

for (const target of testTargets()) describe(`token endpoints (${targetLabel(target)})`, () => {
  let server: TestServer;
  let aliceId: string;

  before(async () => {
    server = await startTestServer({ target });
    aliceId = await server.createUser('alice');
    await server.createUser('bob');
  });
  after(() => server.close());

  it('login returns a pair bound to a new device', async () => {
    const response = await server.api.post('/api/token', { body: { username: 'alice', password: TEST_PASSWORD } });

    assert.equal(response.status, 200);
    assert.deepEqual(Object.keys(response.body).sort(), ['access', 'device_uid', 'refresh']);
    const claims = JSON.parse(Buffer.from(response.body.access.split('.')[1], 'base64url').toString());
    assert.equal(claims.token_type, 'access');
    assert.equal(claims.user_id, aliceId);
    assert.equal(claims.device_uid, response.body.device_uid);
    assert.equal(claims.exp - claims.iat, 300);
    assert.match(claims.jti, /^[0-9a-f]{32}$/);
    const header = JSON.parse(Buffer.from(response.body.access.split('.')[0], 'base64url').toString());
    assert.deepEqual(header, { alg: 'HS256', typ: 'JWT', kid: server.td.config.keys.signing.kid });
  });

  it('login with a wrong password is no_active_account', async () => {
    const before = await server.snapshot();
    const response = await server.api.post('/api/token', { body: { username: 'alice', password: 'wrong password' } });

    assert.equal(response.status, 401);
    assert.equal(response.body.code, 'no_active_account');
    assert.equal(response.headers.get('www-authenticate'), 'Bearer realm="api"');
    assert.deepEqual(await server.snapshot(), before);
  });

  it('login of an unknown or inactive user is no_active_account', async () => {
    await server.createUser('carol');
    await server.users.setActive('carol', false);

    for (const username of ['nobody', 'carol']) {
      const response = await server.api.post('/api/token', { body: { username, password: TEST_PASSWORD } });
      assert.equal(response.status, 401, username);
      assert.equal(response.body.code, 'no_active_account', username);
    }
  });

  it('refresh rotates the refresh token', async () => {
    const pair = await server.login('alice');
    const response = await server.api.post('/api/token/refresh', { body: { refresh: pair.refresh } });

    assert.equal(response.status, 200);
    assert.deepEqual(Object.keys(response.body).sort(), ['access', 'refresh']);
    assert.notEqual(response.body.refresh, pair.refresh);
    const listed = await server.api.get('/trusted-devices', { token: response.body.access });
    assert.equal(listed.status, 200);
  });

  it('refresh rejects an access token', async () => {
    const pair = await server.login('alice');
    const response = await server.api.post('/api/token/refresh', { body: { refresh: pair.access } });

    assert.equal(response.status, 401);
    assert.equal(response.body.code, 'token_not_valid');
  });

  it('protected route rejects a refresh token', async () => {
    const pair = await server.login('alice');
    const response = await server.api.get('/trusted-devices', { token: pair.refresh });

    assert.equal(response.status, 401);
    assert.equal(response.body.code, 'token_not_valid');
  });

  it('verify accepts a live token of either type', async () => {
    const pair = await server.login('alice');

    for (const token of [pair.access, pair.refresh]) {
      const response = await server.api.post('/api/token/verify', { body: { token } });
      assert.equal(response.status, 200);
      assert.deepEqual(response.body, {});
    }
  });

  it('verify of a rotated-out refresh token is token_blacklisted and revokes nothing', async () => {
    const pair = await server.login('alice');
    const rotated = await server.api.post('/api/token/refresh', { body: { refresh: pair.refresh } });
    assert.equal(rotated.status, 200);

    const response = await server.api.post('/api/token/verify', { body: { token: pair.refresh } });
    assert.equal(response.status, 400);
    assert.equal(response.body.code, 'token_blacklisted');
    const listed = await server.api.get('/trusted-devices', { token: rotated.body.access });
    assert.equal(listed.status, 200);
  });

  it('tokens of a signed-out device are device_not_recognized', async () => {
    const pair = await server.login('alice');
    assert.equal((await server.api.post('/trusted-devices/logout', { token: pair.access })).status, 204);

    const request = await server.api.get('/trusted-devices', { token: pair.access });
    const refresh = await server.api.post('/api/token/refresh', { body: { refresh: pair.refresh } });
    const verify = await server.api.post('/api/token/verify', { body: { token: pair.access } });
    for (const response of [request, refresh, verify]) {
      assert.equal(response.status, 401);
      assert.equal(response.body.code, 'device_not_recognized');
    }
  });

  it('a deactivated user is inactive_account on refresh, verify and requests', async () => {
    await server.createUser('dave');
    const pair = await server.login('dave');
    await server.users.setActive('dave', false);
    server.td.forgetUser((await server.users.findByUsername('dave'))!.id);

    const request = await server.api.get('/trusted-devices', { token: pair.access });
    const refresh = await server.api.post('/api/token/refresh', { body: { refresh: pair.refresh } });
    const verify = await server.api.post('/api/token/verify', { body: { token: pair.access } });
    for (const response of [request, refresh, verify]) {
      assert.equal(response.status, 401);
      assert.equal(response.body.code, 'inactive_account');
    }
  });

  it('an expired access token is token_not_valid', async () => {
    const pair = await server.login('alice');
    server.clock.advance(299_000);
    assert.equal((await server.api.get('/trusted-devices', { token: pair.access })).status, 200);

    server.clock.advance(1_000);
    const response = await server.api.get('/trusted-devices', { token: pair.access });
    assert.equal(response.status, 401);
    assert.equal(response.body.code, 'token_not_valid');
  });
});
