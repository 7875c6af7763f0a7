import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';

import { parseOptions } from '../src/config/parse.js';
import { DEFAULT_TARGET, targetLabel, testTargets, type TestTarget } from './helpers/targets.js';
import { startTestServer, type TestServer } from './helpers/test-server.js';

const SECRET = 'a'.repeat(32);

async function withServer(options: Parameters<typeof startTestServer>[0], body: (server: TestServer) => Promise<void>): Promise<void> {
  const server = await startTestServer({ target: activeTarget, ...options });
  try {
    await server.createUser('alice');
    await body(server);
  } finally {
    await server.close();
  }
}

function refresh(server: TestServer, token: string) {
  return server.api.post('/api/token/refresh', { body: { refresh: token } });
}


// Set by each target's `before` hook; the suites below run one target at a time.
let activeTarget: TestTarget = DEFAULT_TARGET;

for (const target of testTargets()) {
  describe(`on ${targetLabel(target)}`, () => {
    before(() => {
      activeTarget = target;
    });

    describe('refresh rotation', () => {
      it('chain of 5 rejects every older token', () =>
        withServer({}, async (server) => {
          const login = await server.login('alice');
          const chain = [login.refresh];
          for (let step = 1; step <= 5; step += 1) {
            server.clock.advance(1_000);
            const response = await refresh(server, chain.at(-1)!);
            assert.equal(response.status, 200, `refresh ${step}`);
            chain.push(response.body.refresh);
          }
          assert.equal(new Set(chain).size, 6);

          // Still within the grace window of the last rotation, a token two or more rotations old is already reuse.
          const beforeVerify = await server.snapshot();
          for (const [index, token] of chain.slice(0, -1).entries()) {
            const response = await server.api.post('/api/token/verify', { body: { token } });
            assert.equal(response.status, 400, `verify of token ${index}`);
            assert.equal(response.body.code, 'token_blacklisted', `verify of token ${index}`);
          }
          assert.deepEqual(await server.snapshot(), beforeVerify, 'verify revokes nothing');
          assert.equal((await server.api.post('/api/token/verify', { body: { token: chain[5] } })).status, 200);

          const reuse = await refresh(server, chain[3]!);
          assert.equal(reuse.status, 401);
          assert.equal(reuse.body.code, 'device_compromised');
          assert.equal(server.events.refreshTokenReused.length, 1);
          for (const [index, token] of chain.entries()) {
            const response = await refresh(server, token);
            assert.equal(response.status, 401, `token ${index} after revocation`);
            assert.equal(response.body.code, 'device_not_recognized', `token ${index} after revocation`);
          }
          assert.equal(server.events.refreshTokenReused.length, 1);
        }));

      it('two concurrent refreshes get the same pair', () =>
        withServer({}, async (server) => {
          const login = await server.login('alice');

          const [first, second] = await Promise.all([refresh(server, login.refresh), refresh(server, login.refresh)]);
          assert.equal(first.status, 200);
          assert.equal(second.status, 200);
          assert.deepEqual(first.body, second.body);
          assert.notEqual(first.body.refresh, login.refresh);

          const next = await refresh(server, first.body.refresh);
          assert.equal(next.status, 200, 'the shared pair is the current one');
          assert.equal(server.events.refreshTokenReused.length, 0);
          assert.equal((await server.api.get('/trusted-devices', { token: first.body.access })).status, 200);
        }));

      it('previous token within the grace window returns the current pair', () =>
        withServer({}, async (server) => {
          const login = await server.login('alice');
          const rotated = await refresh(server, login.refresh);
          server.clock.advance(10_000);

          const retry = await refresh(server, login.refresh);
          assert.equal(retry.status, 200);
          assert.deepEqual(retry.body, rotated.body);
          assert.equal(server.events.deviceRevoked.length, 0);
        }));

      it('reuse after the window revokes once', () =>
        withServer({}, async (server) => {
          const login = await server.login('alice');
          const rotated = await refresh(server, login.refresh);
          server.clock.advance(11_000);

          const responses = await Promise.all([refresh(server, login.refresh), refresh(server, login.refresh)]);
          for (const response of responses) {
            assert.equal(response.status, 401);
            assert.equal(response.headers.get('www-authenticate'), 'Bearer realm="api"');
          }
          // The request that reads the row after the other one deleted it finds no device.
          assert.equal(responses[0].body.code, 'device_compromised');
          assert.ok(['device_compromised', 'device_not_recognized'].includes(responses[1].body.code));
          assert.equal(server.events.refreshTokenReused.length, 1);
          assert.equal(server.events.refreshTokenReused[0]!.device.deviceUid, login.device_uid);
          assert.deepEqual(
            server.events.deviceRevoked.map((event) => event.reason),
            ['refresh-token-reused'],
          );
          assert.deepEqual(await server.snapshot(), []);
          const current = await refresh(server, rotated.body.refresh);
          assert.equal(current.body.code, 'device_not_recognized');
        }));

      it('a custom grace window of 0 treats any replay as reuse', () =>
        withServer({ refreshReuseGraceSeconds: 0 }, async (server) => {
          const login = await server.login('alice');
          assert.equal((await refresh(server, login.refresh)).status, 200);
          server.clock.advance(1_000);

          const replay = await refresh(server, login.refresh);
          assert.equal(replay.body.code, 'device_compromised');
        }));

      it('without rotation one refresh token lasts until it expires', () =>
        withServer({ rotateRefreshTokens: false }, async (server) => {
          const login = await server.login('alice');
          const before = await server.snapshot();

          for (let hour = 1; hour <= 3; hour += 1) {
            server.clock.advance(3_600_000);
            const response = await refresh(server, login.refresh);
            assert.equal(response.status, 200, `refresh after ${hour} h`);
            assert.deepEqual(Object.keys(response.body), ['access']);
            assert.equal((await server.api.get('/trusted-devices', { token: response.body.access })).status, 200);
          }
          const after = (await server.snapshot()) as { refresh_jti: string }[];
          assert.equal(after[0]!.refresh_jti, (before as { refresh_jti: string }[])[0]!.refresh_jti);
          assert.equal((await server.api.post('/api/token/verify', { body: { token: login.refresh } })).status, 200);

          server.clock.advance(21 * 3_600_000);
          const expired = await refresh(server, login.refresh);
          assert.equal(expired.status, 401);
          assert.equal(expired.body.code, 'token_not_valid');
          assert.equal(server.events.deviceRevoked.length, 0);
        }));
    });

    describe('device max age', () => {
      it('refresh after deviceMaxAge removes the device', () =>
        withServer({ deviceMaxAge: '1d' }, async (server) => {
          const login = await server.login('alice');
          server.clock.advance(12 * 3_600_000);
          const midway = await refresh(server, login.refresh);
          assert.equal(midway.status, 200);

          server.clock.advance(12 * 3_600_000 - 1_000);
          const lastChance = await refresh(server, midway.body.refresh);
          assert.equal(lastChance.status, 200, 'one second before the max age');

          server.clock.advance(1_000);
          const capped = await refresh(server, lastChance.body.refresh);
          assert.equal(capped.status, 401);
          assert.equal(capped.body.code, 'token_not_valid');
          assert.deepEqual(await server.snapshot(), []);
          assert.deepEqual(
            server.events.deviceRevoked.map((event) => [event.device.deviceUid, event.reason]),
            [[login.device_uid, 'expired']],
          );
          const request = await server.api.get('/trusted-devices', { token: lastChance.body.access });
          assert.equal(request.body.code, 'device_not_recognized');
        }));

      it('access tokens stop at deviceMaxAge', () =>
        withServer({ deviceMaxAge: 600, accessTokenLifetime: '1h' }, async (server) => {
          const login = await server.login('alice');
          server.clock.advance(599_000);
          assert.equal((await server.api.get('/trusted-devices', { token: login.access })).status, 200);

          server.clock.advance(1_000);
          const response = await server.api.get('/trusted-devices', { token: login.access });
          assert.equal(response.status, 401);
          assert.equal(response.body.code, 'token_not_valid');
          assert.equal(server.events.deviceRevoked[0]?.reason, 'expired');
        }));

      it('deviceMaxAge must be positive', () => {
        for (const deviceMaxAge of [0, -5, 'forever']) {
          assert.throws(() => parseOptions({ signingKey: SECRET, deviceMaxAge }), /^TypeError: Invalid option "deviceMaxAge"/, String(deviceMaxAge));
        }
        assert.equal(parseOptions({ signingKey: SECRET }).deviceMaxAge, null);
        assert.equal(parseOptions({ signingKey: SECRET, deviceMaxAge: '30d' }).deviceMaxAge, 30 * 86_400);
      });
    });
  });
}
