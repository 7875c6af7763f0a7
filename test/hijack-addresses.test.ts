import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';

import { targetLabel, testTargets } from './helpers/targets.js';
import { startTestServer, type TestOptions, type TestServer } from './helpers/test-server.js';

const HOME = { 'x-forwarded-for': '203.0.113.5' };
const HOME_MAPPED = { 'x-forwarded-for': '::ffff:203.0.113.5' };
const ELSEWHERE = { 'x-forwarded-for': '198.51.100.1' };

for (const target of testTargets()) describe(`hijack detection by address (${targetLabel(target)})`, () => {
  const servers: TestServer[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => server.close()));
  });
  const start = async (options: TestOptions = {}) => {
    const server = await startTestServer({ target, trustProxy: true, concurrentSessionMode: 'ip-change', accessTokenLifetime: '1h', ...options });
    servers.push(server);
    await server.createUser('alice');
    return server;
  };

  it('a request from a second address within the window revokes the device', async () => {
    const server = await start();
    const pair = await server.login('alice', HOME);
    server.clock.advance(59_999);

    const response = await server.api.get('/trusted-devices', { token: pair.access, headers: ELSEWHERE });
    assert.equal(response.status, 401);
    assert.equal(response.body.code, 'device_compromised');
    assert.deepEqual(await server.snapshot(), []);
    assert.equal(server.events.deviceCompromised.length, 1);
    assert.equal(server.events.deviceCompromised[0]!.detectedOn, 'request');
    assert.equal(server.events.deviceCompromised[0]!.previousIp, '203.0.113.5');
    assert.equal(server.events.deviceCompromised[0]!.currentIp, '198.51.100.1');
    assert.deepEqual(server.events.deviceRevoked.map((event) => event.reason), ['compromised']);

    const again = await server.api.get('/trusted-devices', { token: pair.access, headers: HOME });
    assert.equal(again.body.code, 'device_not_recognized');
  });

  it('a new address exactly at the window is a move, not a hijack', async () => {
    const server = await start();
    const pair = await server.login('alice', HOME);
    server.clock.advance(60_000);

    const response = await server.api.get('/trusted-devices', { token: pair.access, headers: ELSEWHERE });
    assert.equal(response.status, 200);
    assert.equal(response.body[0].last_ip, '198.51.100.1');
    assert.equal(response.body[0].ip_address, '203.0.113.5');
    assert.equal(server.events.deviceRevoked.length, 0);
  });

  it('two spellings of one address are the same client', async () => {
    const server = await start();
    const pair = await server.login('alice', HOME);
    server.clock.advance(1_000);

    const response = await server.api.get('/trusted-devices', { token: pair.access, headers: HOME_MAPPED });
    assert.equal(response.status, 200);
    const refreshed = await server.api.post('/api/token/refresh', { body: { refresh: pair.refresh }, headers: HOME_MAPPED });
    assert.equal(refreshed.status, 200);
  });

  it('a stored address in another spelling matches', async () => {
    const server = await start();
    const pair = await server.login('alice', HOME);
    // As a row migrated from another backend might hold it.
    await server.db.updateTable('trusted_devices').set({ last_ip: '::ffff:203.0.113.5' }).execute();
    server.clock.advance(1_000);

    const response = await server.api.post('/api/token/refresh', { body: { refresh: pair.refresh }, headers: HOME });
    assert.equal(response.status, 200);
  });

  it('a refresh from a second address within the window revokes the device', async () => {
    const server = await start();
    const pair = await server.login('alice', HOME);
    server.clock.advance(30_000);

    const response = await server.api.post('/api/token/refresh', { body: { refresh: pair.refresh }, headers: ELSEWHERE });
    assert.equal(response.status, 401);
    assert.equal(response.body.code, 'device_compromised');
    assert.deepEqual(await server.snapshot(), []);
    assert.equal(server.events.deviceCompromised[0]!.detectedOn, 'refresh');
    assert.deepEqual(server.events.deviceRevoked.map((event) => event.reason), ['compromised']);
  });

  it('a refresh sees a request not yet written to the store', async () => {
    const server = await start();
    const pair = await server.login('alice', HOME);
    server.clock.advance(40_000);
    // Within lastSeenWriteIntervalSeconds of the login, so last_seen stays in the device cache only.
    assert.equal((await server.api.get('/trusted-devices', { token: pair.access, headers: HOME })).status, 200);
    server.clock.advance(25_000);

    const response = await server.api.post('/api/token/refresh', { body: { refresh: pair.refresh }, headers: ELSEWHERE });
    assert.equal(response.status, 401);
    assert.equal(response.body.code, 'device_compromised');
  });

  it('detectConcurrentSessions false allows two addresses', async () => {
    const server = await start({ detectConcurrentSessions: false });
    const pair = await server.login('alice', HOME);

    const response = await server.api.get('/trusted-devices', { token: pair.access, headers: ELSEWHERE });
    assert.equal(response.status, 200);
    const refreshed = await server.api.post('/api/token/refresh', { body: { refresh: pair.refresh }, headers: HOME });
    assert.equal(refreshed.status, 200);
  });

  it('concurrentSessionWindowSeconds sets the window', async () => {
    const server = await start({ concurrentSessionWindowSeconds: 5 });
    const pair = await server.login('alice', HOME);
    server.clock.advance(5_000);

    const response = await server.api.get('/trusted-devices', { token: pair.access, headers: ELSEWHERE });
    assert.equal(response.status, 200);
  });
});
