import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { targetLabel, testTargets } from './helpers/targets.js';
import { startTestServer, TEST_PASSWORD, type TestServer } from './helpers/test-server.js';

const DEVICE_FIELDS = [
  'can_delete_other_devices',
  'can_update_other_devices',
  'city',
  'country',
  'created_at',
  'device_uid',
  'ip_address',
  'is_current',
  'last_ip',
  'last_seen',
  'name',
  'region',
  'user_agent',
];
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

for (const target of testTargets()) describe(`routes (${targetLabel(target)})`, () => {
  let server: TestServer;

  before(async () => {
    // No delays, so one test can use every route of a fresh device.
    server = await startTestServer({ target, deleteDelayMinutes: 0, updateDelayMinutes: 0 });
    await server.createUser('alice');
  });
  after(() => server.close());

  for (const slash of ['', '/']) {
    describe(`paths ending in "${slash}"`, () => {
      it('POST /api/token is 200 with a pair', async () => {
        const response = await server.api.post(`/api/token${slash}`, { body: { username: 'alice', password: TEST_PASSWORD } });

        assert.equal(response.status, 200);
        assert.deepEqual(Object.keys(response.body).sort(), ['access', 'device_uid', 'refresh']);
        assert.match(response.headers.get('content-type') ?? '', /^application\/json/);
      });

      it('POST /api/token/refresh is 200 with a new pair', async () => {
        const pair = await server.login('alice');
        const response = await server.api.post(`/api/token/refresh${slash}`, { body: { refresh: pair.refresh } });

        assert.equal(response.status, 200);
        assert.deepEqual(Object.keys(response.body).sort(), ['access', 'refresh']);
      });

      it('POST /api/token/verify is 200 {}', async () => {
        const pair = await server.login('alice');
        const response = await server.api.post(`/api/token/verify${slash}`, { body: { token: pair.access } });

        assert.equal(response.status, 200);
        assert.deepEqual(response.body, {});
      });

      it('GET /trusted-devices is 200 with device objects', async () => {
        const pair = await server.login('alice');
        const response = await server.api.get(`/trusted-devices${slash}`, { token: pair.access });

        assert.equal(response.status, 200);
        assert.ok(Array.isArray(response.body));
        const current = response.body.find((device: any) => device.device_uid === pair.device_uid);
        assert.deepEqual(Object.keys(current).sort(), DEVICE_FIELDS);
        assert.match(current.last_seen, ISO_UTC);
        assert.match(current.created_at, ISO_UTC);
        assert.equal(current.is_current, true);
        assert.equal(current.ip_address, '127.0.0.1');
      });

      for (const method of ['PATCH', 'PUT']) {
        it(`${method} /trusted-devices/{uid} is 200 with the three fields`, async () => {
          const acting = await server.login('alice');
          const other = await server.login('alice');
          const response = await server.api.request(method, `/trusted-devices/${other.device_uid}${slash}`, {
            token: acting.access,
            body: { name: `Renamed by ${method}` },
          });

          assert.equal(response.status, 200);
          assert.deepEqual(response.body, { name: `Renamed by ${method}`, can_delete_other_devices: true, can_update_other_devices: true });
        });
      }

      it('DELETE /trusted-devices/{uid} is 204 with no body', async () => {
        const acting = await server.login('alice');
        const other = await server.login('alice');
        const response = await server.api.delete(`/trusted-devices/${other.device_uid}${slash}`, { token: acting.access });

        assert.equal(response.status, 204);
        assert.equal(response.text, '');
        assert.equal((await server.api.get('/trusted-devices', { token: other.access })).body.code, 'device_not_recognized');
      });

      it('POST /trusted-devices/logout is 204 with no body', async () => {
        const pair = await server.login('alice');
        const response = await server.api.post(`/trusted-devices/logout${slash}`, { token: pair.access });

        assert.equal(response.status, 204);
        assert.equal(response.text, '');
      });

      it('POST /trusted-devices/revoke-all is 200 with revoked_count', async () => {
        await server.login('alice');
        const acting = await server.login('alice');
        const listed = await server.api.get('/trusted-devices', { token: acting.access });
        const response = await server.api.post(`/trusted-devices/revoke-all${slash}`, { token: acting.access });

        assert.equal(response.status, 200);
        assert.deepEqual(response.body, { revoked_count: listed.body.length - 1 });
        const remaining = await server.api.get('/trusted-devices', { token: acting.access });
        assert.deepEqual(remaining.body.map((device: any) => device.device_uid), [acting.device_uid]);
      });
    });
  }

  it('protected routes without credentials are not_authenticated', async () => {
    const uid = '00000000-0000-4000-8000-000000000000';
    const calls: [string, string][] = [
      ['GET', '/trusted-devices'],
      ['PATCH', `/trusted-devices/${uid}`],
      ['PUT', `/trusted-devices/${uid}`],
      ['DELETE', `/trusted-devices/${uid}`],
      ['POST', '/trusted-devices/logout'],
      ['POST', '/trusted-devices/revoke-all'],
      ['GET', '/api/me'],
    ];
    for (const [method, path] of calls) {
      const response = await server.api.request(method, path);
      assert.equal(response.status, 401, `${method} ${path}`);
      assert.equal(response.body.code, 'not_authenticated', `${method} ${path}`);
      assert.equal(response.headers.get('www-authenticate'), 'Bearer realm="api"', `${method} ${path}`);
    }
  });

  it('requireDevice gives host routes the user and device', async () => {
    const pair = await server.login('alice');
    const response = await server.api.get('/api/me', { token: pair.access });

    assert.equal(response.status, 200);
    assert.equal(response.body.device_uid, pair.device_uid);
    assert.equal(response.body.user_id, (await server.users.findByUsername('alice'))!.id);
  });

  it('wrong methods are 405 with Allow', async () => {
    const uid = '00000000-0000-4000-8000-000000000000';
    const cases: [string, string, string][] = [
      ['GET', '/api/token', 'POST'],
      ['PUT', '/api/token/', 'POST'],
      ['GET', '/api/token/refresh', 'POST'],
      ['DELETE', '/api/token/verify', 'POST'],
      ['POST', '/trusted-devices', 'GET'],
      ['DELETE', '/trusted-devices/', 'GET'],
      ['GET', '/trusted-devices/logout', 'POST'],
      ['DELETE', '/trusted-devices/logout', 'POST'],
      ['PATCH', '/trusted-devices/revoke-all/', 'POST'],
      ['GET', `/trusted-devices/${uid}`, 'PATCH, PUT, DELETE'],
      ['POST', `/trusted-devices/${uid}/`, 'PATCH, PUT, DELETE'],
    ];
    const pair = await server.login('alice');
    const before = await server.snapshot();

    for (const [method, path, allow] of cases) {
      const response = await server.api.request(method, path, { token: pair.access });
      assert.equal(response.status, 405, `${method} ${path}`);
      assert.equal(response.headers.get('allow'), allow, `${method} ${path}`);
      assert.equal(response.body.code, 'method_not_allowed', `${method} ${path}`);
    }
    assert.deepEqual(await server.snapshot(), before);
  });

  it('unknown paths are 404 not_found', async () => {
    const response = await server.api.get('/api/unknown');

    assert.equal(response.status, 404);
    assert.equal(response.body.code, 'not_found');
  });
});
