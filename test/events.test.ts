import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';

import type { RevokeReason } from '../src/service/events.js';
import { targetLabel, testTargets } from './helpers/targets.js';
import { startTestServer, type TestOptions, type TestServer } from './helpers/test-server.js';

for (const target of testTargets()) describe(`deviceRevoked per removal path (${targetLabel(target)})`, () => {
  const servers: TestServer[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => server.close()));
  });
  const start = async (options: TestOptions = {}) => {
    const server = await startTestServer({ target, deleteDelayMinutes: 0, accessTokenLifetime: '7d', refreshTokenLifetime: '7d', ...options });
    servers.push(server);
    await server.createUser('alice');
    return server;
  };

  /** Asserts one deviceRevoked per device, each with `reason`, and nothing else. */
  function assertRevoked(server: TestServer, deviceUids: string[], reason: RevokeReason): void {
    const events = server.events.deviceRevoked;
    assert.deepEqual(events.map((event) => event.device.deviceUid).sort(), [...deviceUids].sort());
    assert.deepEqual(new Set(events.map((event) => event.reason)), new Set(deviceUids.length === 0 ? [] : [reason]));
  }

  it('login emits deviceCreated once', async () => {
    const server = await start();
    const pair = await server.login('alice');

    assert.deepEqual(server.events.deviceCreated.map((event) => event.device.deviceUid), [pair.device_uid]);
    assertRevoked(server, [], 'deleted');
  });

  it('delete emits once, even for two racing deletes', async () => {
    const server = await start();
    const acting = await server.login('alice');
    const target = await server.login('alice');

    const responses = await Promise.all([
      server.api.delete(`/trusted-devices/${target.device_uid}`, { token: acting.access }),
      server.api.delete(`/trusted-devices/${target.device_uid}`, { token: acting.access }),
    ]);
    assert.deepEqual(responses.map((response) => response.status).sort(), [204, 404]);
    assertRevoked(server, [target.device_uid], 'deleted');
  });

  it('logout emits once', async () => {
    const server = await start();
    const pair = await server.login('alice');
    await server.api.post('/trusted-devices/logout', { token: pair.access });

    assertRevoked(server, [pair.device_uid], 'logout');
  });

  it('revoke-all emits once per other device', async () => {
    const server = await start();
    const others = [await server.login('alice'), await server.login('alice'), await server.login('alice')];
    const acting = await server.login('alice');
    const response = await server.api.post('/trusted-devices/revoke-all', { token: acting.access });

    assert.deepEqual(response.body, { revoked_count: 3 });
    assertRevoked(server, others.map((pair) => pair.device_uid), 'revoke-all');
  });

  it('stale removal at login emits once per stale device', async () => {
    const server = await start();
    const stale = [await server.login('alice'), await server.login('alice')];
    server.clock.advanceMinutes(7 * 24 * 60 + 1);
    await server.login('alice');

    assertRevoked(server, stale.map((pair) => pair.device_uid), 'stale');
  });

  it('cleanup emits once per removed device', async () => {
    const server = await start();
    await server.createUser('bob');
    const stale = [await server.login('alice'), await server.login('bob'), await server.login('bob')];
    server.clock.advanceMinutes(7 * 24 * 60 + 1);
    const result = await server.td.cleanupStaleDevices({ batchSize: 2 });

    assert.equal(result.count, 3);
    assertRevoked(server, stale.map((pair) => pair.device_uid), 'cleanup');
  });

  it('compromise emits once', async () => {
    const server = await start({ trustProxy: true, concurrentSessionMode: 'ip-change' });
    const pair = await server.login('alice', { 'x-forwarded-for': '203.0.113.5' });
    await server.api.get('/trusted-devices', { token: pair.access, headers: { 'x-forwarded-for': '198.51.100.1' } });
    await server.api.get('/trusted-devices', { token: pair.access, headers: { 'x-forwarded-for': '198.51.100.2' } });

    assertRevoked(server, [pair.device_uid], 'compromised');
    assert.equal(server.events.deviceCompromised.length, 1);
  });

  it('refresh token reuse emits once', async () => {
    const server = await start();
    const pair = await server.login('alice');
    await server.api.post('/api/token/refresh', { body: { refresh: pair.refresh } });
    // Past the grace window of 10 seconds, which counts whole seconds.
    server.clock.advance(11_000);

    const reused = await server.api.post('/api/token/refresh', { body: { refresh: pair.refresh } });
    assert.equal(reused.status, 401);
    assert.equal(reused.body.code, 'device_compromised');
    const again = await server.api.post('/api/token/refresh', { body: { refresh: pair.refresh } });
    assert.equal(again.body.code, 'device_not_recognized');
    assertRevoked(server, [pair.device_uid], 'refresh-token-reused');
    assert.deepEqual(server.events.refreshTokenReused.map((event) => event.device.deviceUid), [pair.device_uid]);
  });

  it('revokeAllDevices emits once per device', async () => {
    const server = await start();
    const pairs = [await server.login('alice'), await server.login('alice')];
    const count = await server.td.revokeAllDevices((await server.users.findByUsername('alice'))!.id);

    assert.equal(count, 2);
    assertRevoked(server, pairs.map((pair) => pair.device_uid), 'host');
  });

  it('a failing handler does not fail the request', async () => {
    const server = await start();
    server.td.on('deviceRevoked', () => {
      throw new Error('handler failed');
    });
    const pair = await server.login('alice');

    const response = await server.api.post('/trusted-devices/logout', { token: pair.access });
    assert.equal(response.status, 204);
    assertRevoked(server, [pair.device_uid], 'logout');
  });
});
