import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';

import { decodeToken, forgeToken } from './helpers/forge-token.js';
import type { ApiResponse, RequestOptions } from './helpers/http-client.js';
import { targetLabel, testTargets } from './helpers/targets.js';
import { startTestServer, TEST_PASSWORD, type TestServer } from './helpers/test-server.js';

const LIMIT = 16 * 1024;

for (const target of testTargets()) describe(`bad input (${targetLabel(target)})`, () => {
  let server: TestServer;
  let acting: { access: string; refresh: string; device_uid: string };
  let other: { access: string; refresh: string; device_uid: string };
  let bobDevice: string;
  let snapshotBefore: unknown[];

  before(async () => {
    server = await startTestServer({ target, deleteDelayMinutes: 0, updateDelayMinutes: 0, accessTokenLifetime: '1d' });
    await server.createUser('alice');
    await server.createUser('bob');
    acting = await server.login('alice');
    other = await server.login('alice');
    bobDevice = (await server.login('bob')).device_uid;
  });
  after(() => server.close());
  beforeEach(async () => {
    snapshotBefore = await server.snapshot();
  });

  /** Sends a request that must fail with `status` and `code` and change nothing. */
  async function expectRejected(method: string, path: string, options: RequestOptions, status: number, code: string): Promise<ApiResponse> {
    const label = `${method} ${path} ${JSON.stringify(options).slice(0, 120)}`;
    const response = await server.api.request(method, path, options);
    assert.equal(response.status, status, `${label}: ${response.text.slice(0, 200)}`);
    assert.equal(response.body?.code, code, label);
    assert.equal(typeof response.body.detail, 'string', label);
    assert.deepEqual(await server.snapshot(), snapshotBefore, label);
    return response;
  }

  const jsonPosts = ['/api/token', '/api/token/refresh', '/api/token/verify'];

  describe('bodies', () => {
    it('malformed JSON is invalid', async () => {
      for (const path of jsonPosts) {
        for (const rawBody of ['{', '{"username": }', 'nul', "{'a': 1}", '\u0000']) {
          await expectRejected('POST', path, { rawBody, headers: { 'content-type': 'application/json' } }, 400, 'invalid');
        }
      }
      await expectRejected('PATCH', `/trusted-devices/${other.device_uid}`, { token: acting.access, rawBody: '{"name":', headers: { 'content-type': 'application/json' } }, 400, 'invalid');
    });

    it('non-object bodies are invalid', async () => {
      for (const path of jsonPosts) {
        for (const body of [null, [], ['a'], 'text', 42, true]) {
          const response = await expectRejected('POST', path, { body }, 400, 'invalid');
          assert.deepEqual(response.body.fields, { non_field_errors: ['Expected a JSON object.'] });
        }
      }
      await expectRejected('PATCH', `/trusted-devices/${other.device_uid}`, { token: acting.access, body: [] }, 400, 'invalid');
    });

    it('missing fields are invalid with field messages', async () => {
      const login = await expectRejected('POST', '/api/token', { body: {} }, 400, 'invalid');
      assert.deepEqual(login.body.fields, { username: ['This field is required.'], password: ['This field is required.'] });
      const refresh = await expectRejected('POST', '/api/token/refresh', { body: { token: acting.refresh } }, 400, 'invalid');
      assert.deepEqual(refresh.body.fields, { refresh: ['This field is required.'] });
      const verify = await expectRejected('POST', '/api/token/verify', {}, 400, 'invalid');
      assert.deepEqual(verify.body.fields, { token: ['This field is required.'] });
    });

    it('wrong types are invalid', async () => {
      const login = await expectRejected('POST', '/api/token', { body: { username: ['alice'], password: 12345678 } }, 400, 'invalid');
      assert.deepEqual(Object.keys(login.body.fields).sort(), ['password', 'username']);
      await expectRejected('POST', '/api/token/refresh', { body: { refresh: { a: 1 } } }, 400, 'invalid');
      await expectRejected('POST', '/api/token/verify', { body: { token: null } }, 400, 'invalid');
      const patch = await expectRejected('PATCH', `/trusted-devices/${other.device_uid}`, {
        token: acting.access,
        body: { name: 5, can_delete_other_devices: 'false', can_update_other_devices: 0 },
      }, 400, 'invalid');
      assert.deepEqual(Object.keys(patch.body.fields).sort(), ['can_delete_other_devices', 'can_update_other_devices', 'name']);
    });

    it('blank fields are invalid', async () => {
      await expectRejected('POST', '/api/token', { body: { username: '', password: TEST_PASSWORD } }, 400, 'invalid');
      await expectRejected('POST', '/api/token/refresh', { body: { refresh: '' } }, 400, 'invalid');
      for (const name of ['', '   ', '\t\n']) {
        await expectRejected('PATCH', `/trusted-devices/${other.device_uid}`, { token: acting.access, body: { name } }, 400, 'invalid');
      }
    });

    it('a name is stored without surrounding spaces', async () => {
      const response = await server.api.patch(`/trusted-devices/${other.device_uid}`, { token: acting.access, body: { name: `  ${'n'.repeat(255)}  ` } });
      assert.equal(response.status, 200);
      assert.equal(response.body.name, 'n'.repeat(255));
    });

    it('a name of 255 characters passes, 256 fails', async () => {
      const response = await expectRejected('PATCH', `/trusted-devices/${other.device_uid}`, { token: acting.access, body: { name: 'n'.repeat(256) } }, 400, 'invalid');
      assert.deepEqual(response.body.fields, { name: ['Use at most 255 characters.'] });

      const accepted = await server.api.patch(`/trusted-devices/${other.device_uid}`, { token: acting.access, body: { name: 'n'.repeat(255) } });
      assert.equal(accepted.status, 200);
      assert.equal(accepted.body.name, 'n'.repeat(255));
    });

    it('a body of exactly 16 KiB passes, one byte more is payload_too_large', async () => {
      const padded = (size: number) => {
        const body = { username: 'alice', password: TEST_PASSWORD, padding: '' };
        body.padding = 'p'.repeat(size - JSON.stringify(body).length);
        return JSON.stringify(body);
      };
      assert.equal(padded(LIMIT).length, LIMIT);

      const atLimit = await server.api.post('/api/token', { rawBody: padded(LIMIT), headers: { 'content-type': 'application/json' } });
      assert.equal(atLimit.status, 200);
      snapshotBefore = await server.snapshot();

      await expectRejected('POST', '/api/token', { rawBody: padded(LIMIT + 1), headers: { 'content-type': 'application/json' } }, 413, 'payload_too_large');
      await expectRejected('POST', '/api/token/refresh', { rawBody: 'x'.repeat(1024 * 1024), headers: { 'content-type': 'application/json' } }, 413, 'payload_too_large');
      await expectRejected('PATCH', `/trusted-devices/${other.device_uid}`, {
        token: acting.access,
        rawBody: JSON.stringify({ name: 'x', padding: 'p'.repeat(LIMIT) }),
        headers: { 'content-type': 'application/json' },
      }, 413, 'payload_too_large');
    });

    it('a body sent in chunks without a length is limited too', async () => {
      const chunks = new ReadableStream({
        start(controller) {
          for (let i = 0; i < 20; i++) controller.enqueue(new TextEncoder().encode('x'.repeat(1024)));
          controller.close();
        },
      });
      const response = await fetch(`${server.api.baseUrl}/api/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: chunks,
        duplex: 'half',
      });
      assert.equal(response.status, 413);
      assert.equal(((await response.json()) as { code: string }).code, 'payload_too_large');
    });

    it('another media type is unsupported_media_type', async () => {
      await expectRejected('POST', '/api/token', { rawBody: '<xml/>', headers: { 'content-type': 'application/xml' } }, 415, 'unsupported_media_type');
    });

    it('a form-encoded login works as in Django REST framework', async () => {
      const response = await server.api.post('/api/token', {
        rawBody: new URLSearchParams({ username: 'alice', password: TEST_PASSWORD }).toString(),
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
      assert.equal(response.status, 200);
    });
  });

  describe('device_uid', () => {
    it('a device_uid that is not a UUID is not_found', async () => {
      for (const uid of ['abc', '1', 'logout-x', '6f1c2a9e1b7d4e0a9a612f3b4c5d6e7f', `${other.device_uid}0`, '%27%20OR%201%3D1']) {
        await expectRejected('DELETE', `/trusted-devices/${uid}`, { token: acting.access }, 404, 'not_found');
        await expectRejected('PATCH', `/trusted-devices/${uid}`, { token: acting.access, body: { name: 'x' } }, 404, 'not_found');
      }
    });

    it("another user's device is not_found", async () => {
      await expectRejected('DELETE', `/trusted-devices/${bobDevice}`, { token: acting.access }, 404, 'not_found');
      await expectRejected('PUT', `/trusted-devices/${bobDevice}`, { token: acting.access, body: { name: 'x' } }, 404, 'not_found');
    });
  });

  describe('Authorization header', () => {
    const protectedCalls: [string, string][] = [
      ['GET', '/trusted-devices'],
      ['POST', '/trusted-devices/revoke-all'],
      ['POST', '/trusted-devices/logout'],
    ];

    it('empty, garbage, other schemes and lowercase bearer are not_authenticated', async () => {
      for (const authorization of ['', 'garbage', 'Basic YWxpY2U6cGFzcw==', 'Token abc']) {
        for (const [method, path] of protectedCalls) {
          await expectRejected(method, path, { headers: { authorization } }, 401, 'not_authenticated');
        }
      }
      await expectRejected('GET', '/trusted-devices', { headers: { authorization: `bearer ${acting.access}` } }, 401, 'not_authenticated');
    });

    it('a scheme without one token is token_not_valid', async () => {
      for (const authorization of ['Bearer', 'Bearer ', `Bearer ${acting.access} ${other.access}`, `Bearer ${acting.access},${other.access}`, 'Bearer garbage']) {
        for (const [method, path] of protectedCalls) {
          await expectRejected(method, path, { headers: { authorization } }, 401, 'token_not_valid');
        }
      }
    });

    it('forged tokens are token_not_valid everywhere', async () => {
      const key = server.td.config.signingKey as string;
      const { claims } = decodeToken(acting.access);
      const refreshClaims = decodeToken(acting.refresh).claims;
      const [header, , signature] = acting.access.split('.');
      const forged = {
        'alg none': forgeToken({ alg: 'none', typ: 'JWT' }, claims, key),
        'HS512 with the same key': forgeToken({ alg: 'HS512', typ: 'JWT' }, claims, key),
        'tampered payload': `${header}.${Buffer.from(JSON.stringify({ ...claims, device_uid: other.device_uid })).toString('base64url')}.${signature}`,
        'wrong key': forgeToken({ alg: 'HS256', typ: 'JWT' }, claims, 'w'.repeat(32)),
      };
      for (const token of Object.values(forged)) {
        await expectRejected('GET', '/trusted-devices', { token }, 401, 'token_not_valid');
        await expectRejected('POST', '/api/token/verify', { body: { token } }, 401, 'token_not_valid');
      }
      const forgedRefresh = forgeToken({ alg: 'none', typ: 'JWT' }, refreshClaims, key);
      await expectRejected('POST', '/api/token/refresh', { body: { refresh: forgedRefresh } }, 401, 'token_not_valid');
    });

    it('a refresh token as access and an access token as refresh are token_not_valid', async () => {
      await expectRejected('GET', '/trusted-devices', { token: acting.refresh }, 401, 'token_not_valid');
      await expectRejected('POST', '/trusted-devices/revoke-all', { token: acting.refresh }, 401, 'token_not_valid');
      await expectRejected('POST', '/api/token/refresh', { body: { refresh: acting.access } }, 401, 'token_not_valid');
    });

    it('a token without device_uid is device_uid_missing', async () => {
      const key = server.td.config.signingKey as string;
      const claims = { ...decodeToken(acting.access).claims, device_uid: undefined };
      const token = forgeToken({ alg: 'HS256', typ: 'JWT' }, claims, key);

      await expectRejected('GET', '/trusted-devices', { token }, 401, 'device_uid_missing');
      await expectRejected('POST', '/api/token/verify', { body: { token } }, 401, 'device_uid_missing');
    });

    it("a token naming another user's device is device_not_recognized", async () => {
      const key = server.td.config.signingKey as string;
      const token = forgeToken({ alg: 'HS256', typ: 'JWT' }, { ...decodeToken(acting.access).claims, device_uid: bobDevice }, key);

      await expectRejected('GET', '/trusted-devices', { token }, 401, 'device_not_recognized');
    });
  });

  describe('credentials', () => {
    it('wrong, unknown and oversized credentials change nothing', async () => {
      await expectRejected('POST', '/api/token', { body: { username: 'alice', password: 'wrong password' } }, 401, 'no_active_account');
      await expectRejected('POST', '/api/token', { body: { username: 'nobody', password: TEST_PASSWORD } }, 401, 'no_active_account');
      await expectRejected('POST', '/api/token', { body: { username: 'a'.repeat(151), password: TEST_PASSWORD } }, 400, 'invalid');
      await expectRejected('POST', '/api/token', { body: { username: 'alice', password: 'p'.repeat(1025) } }, 400, 'invalid');
    });
  });
});
