import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { targetLabel, testTargets } from './helpers/targets.js';
import { startTestServer, type TestServer } from './helpers/test-server.js';

// The request's device comes from the per-process cache; changes to other
// devices must be judged on the acting device as it is stored now.
for (const target of testTargets()) describe(`acting device read fresh (${targetLabel(target)})`, () => {
  let server: TestServer;

  before(async () => {
    server = await startTestServer({ target, deleteDelayMinutes: 0, updateDelayMinutes: 0 });
    await server.createUser('alice');
  });
  after(() => server.close());

  /** Logs in twice and warms the cache with a request of the first device. */
  async function twoDevices() {
    const acting = await server.login('alice');
    const other = await server.login('alice');
    assert.equal((await server.api.get('/trusted-devices', { token: acting.access })).status, 200);
    return { acting, other };
  }

  it('removed acting device is device_not_verified', async () => {
    const { acting, other } = await twoDevices();
    await server.db.deleteFrom('trusted_devices').where('device_uid', '=', acting.device_uid).execute();
    const before = await server.snapshot();

    const deletion = await server.api.delete(`/trusted-devices/${other.device_uid}`, { token: acting.access });
    const update = await server.api.patch(`/trusted-devices/${other.device_uid}`, { token: acting.access, body: { name: 'x' } });
    const revokeAll = await server.api.post('/trusted-devices/revoke-all', { token: acting.access });

    for (const response of [deletion, update, revokeAll]) {
      assert.equal(response.status, 403);
      assert.equal(response.body.code, 'device_not_verified');
    }
    assert.deepEqual(await server.snapshot(), before);
  });

  it('permission removed elsewhere applies at once', async () => {
    const { acting, other } = await twoDevices();
    await server.db
      .updateTable('trusted_devices')
      .set({ can_delete_other_devices: false })
      .where('device_uid', '=', acting.device_uid)
      .execute();

    const response = await server.api.delete(`/trusted-devices/${other.device_uid}`, { token: acting.access });

    assert.equal(response.status, 403);
    assert.equal(response.body.code, 'device_lacks_delete_permission');
  });
});
