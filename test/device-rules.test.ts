import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';

import { targetLabel, testTargets, type TestTarget } from './helpers/targets.js';
import { startTestServer, type TestOptions, type TestServer } from './helpers/test-server.js';

const DAY_MINUTES = 24 * 60;

/**
 * Returns a function that starts a server with one user, alice. Tokens live
 * 60 days unless a test sets the lifetimes, so moving the clock by the
 * delays leaves them valid.
 */
function rulesSuite(target: TestTarget) {
  const servers: TestServer[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => server.close()));
  });
  return async (options: TestOptions = {}): Promise<TestServer> => {
    const server = await startTestServer({ target, accessTokenLifetime: '60d', refreshTokenLifetime: '60d', ...options });
    servers.push(server);
    await server.createUser('alice');
    return server;
  };
}

for (const target of testTargets()) describe(`device rules (${targetLabel(target)})`, () => {
  const start = rulesSuite(target);

  describe('delete delay on the acting device', () => {
    it('a device exactly at the delay may delete', async () => {
      const server = await start();
      const old = await server.login('alice');
      const other = await server.login('alice');
      server.clock.advanceMinutes(DAY_MINUTES);

      const response = await server.api.delete(`/trusted-devices/${other.device_uid}`, { token: (await refreshed(server, old)).access });
      assert.equal(response.status, 204);
    });

    it('one minute short is device_session_too_recent', async () => {
      const server = await start();
      const acting = await server.login('alice');
      const other = await server.login('alice');
      server.clock.advanceMinutes(DAY_MINUTES - 1);
      const fresh = await refreshed(server, acting);
      const before = await server.snapshot();

      const response = await server.api.delete(`/trusted-devices/${other.device_uid}`, { token: fresh.access });
      assert.equal(response.status, 403);
      assert.equal(response.body.code, 'device_session_too_recent');
      assert.match(response.body.detail, /signed in for 1 day\./);
      assert.deepEqual(await server.snapshot(), before);
    });

    it('an established device deletes a new one at once', async () => {
      const server = await start();
      const established = await server.login('alice');
      server.clock.advanceMinutes(DAY_MINUTES);
      const established2 = await refreshed(server, established);
      const intruder = await server.login('alice');

      const blocked = await server.api.delete(`/trusted-devices/${established.device_uid}`, { token: intruder.access });
      assert.equal(blocked.status, 403);
      assert.equal(blocked.body.code, 'device_session_too_recent');

      const removed = await server.api.delete(`/trusted-devices/${intruder.device_uid}`, { token: established2.access });
      assert.equal(removed.status, 204);
    });

    it('a new device cannot revoke all others', async () => {
      const server = await start();
      await server.login('alice');
      server.clock.advanceMinutes(DAY_MINUTES);
      const intruder = await server.login('alice');
      const before = await server.snapshot();

      const response = await server.api.post('/trusted-devices/revoke-all', { token: intruder.access });
      assert.equal(response.status, 403);
      assert.equal(response.body.code, 'device_session_too_recent');
      assert.deepEqual(await server.snapshot(), before);
    });

    it('revoke-all at the delay removes every other device', async () => {
      const server = await start();
      const acting = await server.login('alice');
      await server.login('alice');
      await server.login('alice');
      server.clock.advanceMinutes(DAY_MINUTES);
      const fresh = await refreshed(server, acting);

      const response = await server.api.post('/trusted-devices/revoke-all', { token: fresh.access });
      assert.equal(response.status, 200);
      assert.deepEqual(response.body, { revoked_count: 2 });
      assert.equal((await server.snapshot()).length, 1);
      assert.equal(server.events.deviceRevoked.length, 2);
    });
  });

  describe('update delay on the acting device', () => {
    it('one minute short is too recent, at the delay passes', async () => {
      const server = await start();
      const acting = await server.login('alice');
      const other = await server.login('alice');
      server.clock.advanceMinutes(59);

      const blocked = await server.api.patch(`/trusted-devices/${other.device_uid}`, { token: acting.access, body: { name: 'Phone' } });
      assert.equal(blocked.status, 403);
      assert.equal(blocked.body.code, 'device_session_too_recent');
      assert.match(blocked.body.detail, /signed in for 1 hour\./);

      server.clock.advanceMinutes(1);
      const allowed = await server.api.patch(`/trusted-devices/${other.device_uid}`, { token: acting.access, body: { name: 'Phone' } });
      assert.equal(allowed.status, 200);
      assert.equal(allowed.body.name, 'Phone');
    });

    it('the message gives hours and minutes', async () => {
      const server = await start({ updateDelayMinutes: 90 });
      const acting = await server.login('alice');
      const other = await server.login('alice');

      const response = await server.api.patch(`/trusted-devices/${other.device_uid}`, { token: acting.access, body: { name: 'Phone' } });
      assert.equal(response.status, 403);
      assert.match(response.body.detail, /signed in for 1 hour, 30 minutes\./);
    });
  });

  describe("delayApplies: 'target'", () => {
    it('a new device deletes an old one at once', async () => {
      const server = await start({ delayApplies: 'target' });
      const old = await server.login('alice');
      server.clock.advanceMinutes(DAY_MINUTES);
      await refreshed(server, old);
      const newcomer = await server.login('alice');

      const response = await server.api.delete(`/trusted-devices/${old.device_uid}`, { token: newcomer.access });
      assert.equal(response.status, 204);
    });

    it('a new device is shielded until the delay passed', async () => {
      const server = await start({ delayApplies: 'target' });
      const old = await server.login('alice');
      server.clock.advanceMinutes(DAY_MINUTES);
      const oldFresh = await refreshed(server, old);
      const newcomer = await server.login('alice');

      const blocked = await server.api.delete(`/trusted-devices/${newcomer.device_uid}`, { token: oldFresh.access });
      assert.equal(blocked.status, 403);
      assert.equal(blocked.body.code, 'device_session_too_recent');
      assert.match(blocked.body.detail, /Try again 1 day after it signed in\./);
    });

    it('revoke-all keeps devices younger than the delay', async () => {
      const server = await start({ delayApplies: 'target' });
      const old = await server.login('alice');
      server.clock.advanceMinutes(DAY_MINUTES);
      const acting = await refreshed(server, old);
      const atDelay = await server.login('alice');
      server.clock.advanceMinutes(1);
      const young = await server.login('alice');
      server.clock.advanceMinutes(DAY_MINUTES - 1);
      const acting2 = await refreshed(server, acting);

      const response = await server.api.post('/trusted-devices/revoke-all', { token: acting2.access });
      assert.equal(response.status, 200);
      assert.deepEqual(response.body, { revoked_count: 1 });
      const left = (await server.snapshot()).map((row: any) => row.device_uid).sort();
      assert.deepEqual(left, [old.device_uid, young.device_uid].sort());
      assert.ok(!left.includes(atDelay.device_uid));
    });
  });

  describe('self-modification', () => {
    it('a device cannot delete or edit itself', async () => {
      const server = await start({ deleteDelayMinutes: 0, updateDelayMinutes: 0 });
      const pair = await server.login('alice');
      const before = await server.snapshot();

      const deleted = await server.api.delete(`/trusted-devices/${pair.device_uid}`, { token: pair.access });
      const edited = await server.api.patch(`/trusted-devices/${pair.device_uid}`, { token: pair.access, body: { name: 'Me' } });
      for (const response of [deleted, edited]) {
        assert.equal(response.status, 403);
        assert.equal(response.body.code, 'device_self_modification');
      }
      assert.deepEqual(await server.snapshot(), before);
    });
  });

  describe('global switches', () => {
    it('allowGlobalDelete false blocks delete and revoke-all', async () => {
      const server = await start({ allowGlobalDelete: false, deleteDelayMinutes: 0 });
      const acting = await server.login('alice');
      const other = await server.login('alice');

      const deleted = await server.api.delete(`/trusted-devices/${other.device_uid}`, { token: acting.access });
      const revoked = await server.api.post('/trusted-devices/revoke-all', { token: acting.access });
      for (const response of [deleted, revoked]) {
        assert.equal(response.status, 403);
        assert.equal(response.body.code, 'device_deletion_disabled');
      }
      assert.equal((await server.snapshot()).length, 2);
    });

    it('allowGlobalUpdate false blocks edits', async () => {
      const server = await start({ allowGlobalUpdate: false, updateDelayMinutes: 0 });
      const acting = await server.login('alice');
      const other = await server.login('alice');

      const response = await server.api.patch(`/trusted-devices/${other.device_uid}`, { token: acting.access, body: { name: 'x' } });
      assert.equal(response.status, 403);
      assert.equal(response.body.code, 'device_editing_disabled');
    });
  });

  describe('per-device flags', () => {
    it('a device without the flags cannot delete or edit', async () => {
      const server = await start({ deleteDelayMinutes: 0, updateDelayMinutes: 0 });
      const admin = await server.login('alice');
      const limited = await server.login('alice');
      const other = await server.login('alice');
      const patched = await server.api.patch(`/trusted-devices/${limited.device_uid}`, {
        token: admin.access,
        body: { can_delete_other_devices: false, can_update_other_devices: false },
      });
      assert.deepEqual(patched.body, { name: patched.body.name, can_delete_other_devices: false, can_update_other_devices: false });

      const deleted = await server.api.delete(`/trusted-devices/${other.device_uid}`, { token: limited.access });
      assert.equal(deleted.status, 403);
      assert.equal(deleted.body.code, 'device_lacks_delete_permission');
      const revoked = await server.api.post('/trusted-devices/revoke-all', { token: limited.access });
      assert.equal(revoked.status, 403);
      assert.equal(revoked.body.code, 'device_lacks_delete_permission');
      const edited = await server.api.patch(`/trusted-devices/${other.device_uid}`, { token: limited.access, body: { name: 'x' } });
      assert.equal(edited.status, 403);
      assert.equal(edited.body.code, 'device_lacks_edit_permission');
    });

    it('a device cannot grant a permission it lacks', async () => {
      const server = await start({ deleteDelayMinutes: 0, updateDelayMinutes: 0 });
      const admin = await server.login('alice');
      const editor = await server.login('alice');
      const other = await server.login('alice');
      await server.api.patch(`/trusted-devices/${editor.device_uid}`, { token: admin.access, body: { can_delete_other_devices: false } });
      await server.api.patch(`/trusted-devices/${other.device_uid}`, { token: admin.access, body: { can_delete_other_devices: false } });
      const before = await server.snapshot();

      const escalated = await server.api.patch(`/trusted-devices/${other.device_uid}`, {
        token: editor.access,
        body: { can_delete_other_devices: true },
      });
      assert.equal(escalated.status, 403);
      assert.equal(escalated.body.code, 'device_permission_escalation');
      assert.deepEqual(await server.snapshot(), before);

      const allowed = await server.api.patch(`/trusted-devices/${other.device_uid}`, {
        token: editor.access,
        body: { can_update_other_devices: false, can_delete_other_devices: false },
      });
      assert.equal(allowed.status, 200);
    });

    it('new devices take the default flags', async () => {
      const server = await start({ defaultCanDeleteOtherDevices: false, defaultCanUpdateOtherDevices: false });
      const pair = await server.login('alice');
      const listed = await server.api.get('/trusted-devices', { token: pair.access });

      assert.equal(listed.body[0].can_delete_other_devices, false);
      assert.equal(listed.body[0].can_update_other_devices, false);
    });

    it('new devices may delete and edit by default', async () => {
      const server = await start();
      const pair = await server.login('alice');
      const listed = await server.api.get('/trusted-devices', { token: pair.access });

      assert.equal(listed.body[0].can_delete_other_devices, true);
      assert.equal(listed.body[0].can_update_other_devices, true);
    });
  });

  describe('order of checks', () => {
    it('another user or a malformed uid is 404 before any 403 rule', async () => {
      const server = await start({ allowGlobalDelete: false, allowGlobalUpdate: false });
      await server.createUser('bob');
      const bob = await server.login('bob');
      const newcomer = await server.login('alice');
      const before = await server.snapshot();

      for (const uid of [bob.device_uid, 'not-a-uuid', '00000000-0000-4000-8000-000000000000', `${newcomer.device_uid}x`]) {
        const deleted = await server.api.delete(`/trusted-devices/${uid}`, { token: newcomer.access });
        const edited = await server.api.patch(`/trusted-devices/${uid}`, { token: newcomer.access, body: { name: 'x' } });
        for (const response of [deleted, edited]) {
          assert.equal(response.status, 404, uid);
          assert.equal(response.body.code, 'not_found', uid);
        }
      }
      assert.deepEqual(await server.snapshot(), before);
    });

    it('a device_uid in upper case names the same device', async () => {
      const server = await start({ deleteDelayMinutes: 0 });
      const acting = await server.login('alice');
      const other = await server.login('alice');

      const response = await server.api.delete(`/trusted-devices/${other.device_uid.toUpperCase()}`, { token: acting.access });
      assert.equal(response.status, 204);
    });
  });

  describe('listing', () => {
    it('lists most recently seen first with one current device', async () => {
      const server = await start();
      const first = await server.login('alice');
      server.clock.advanceMinutes(1);
      const second = await server.login('alice');
      server.clock.advanceMinutes(1);
      const third = await server.login('alice');
      server.clock.advanceMinutes(1);

      const byThird = await server.api.get('/trusted-devices', { token: third.access });
      assert.deepEqual(byThird.body.map((device: any) => device.device_uid), [third.device_uid, second.device_uid, first.device_uid]);
      assert.deepEqual(byThird.body.map((device: any) => device.is_current), [true, false, false]);

      server.clock.advanceMinutes(1);
      const byFirst = await server.api.get('/trusted-devices', { token: first.access });
      assert.deepEqual(byFirst.body.map((device: any) => device.device_uid), [first.device_uid, third.device_uid, second.device_uid]);
      assert.deepEqual(byFirst.body.map((device: any) => device.is_current), [true, false, false]);
      assert.equal(byFirst.body[0].last_seen, new Date(server.clock.now).toISOString());
    });

    it("lists only the user's own devices", async () => {
      const server = await start();
      await server.createUser('bob');
      await server.login('bob');
      const alice = await server.login('alice');

      const listed = await server.api.get('/trusted-devices', { token: alice.access });
      assert.deepEqual(listed.body.map((device: any) => device.device_uid), [alice.device_uid]);
    });
  });

  describe('stale devices at login', () => {
    it('removes devices not seen within the refresh lifetime', async () => {
      const server = await start({ refreshTokenLifetime: '1d' });
      const stale = await server.login('alice');
      server.clock.advanceMinutes(1);
      const kept = await server.login('alice');
      server.clock.advanceMinutes(DAY_MINUTES);

      // `kept` was seen exactly one refresh lifetime ago, so it stays.
      const fresh = await server.login('alice');
      const left = (await server.snapshot()).map((row: any) => row.device_uid).sort();
      assert.deepEqual(left, [kept.device_uid, fresh.device_uid].sort());
      assert.deepEqual(
        server.events.deviceRevoked.map((event) => [event.device.deviceUid, event.reason]),
        [[stale.device_uid, 'stale']],
      );
    });

    it("leaves other users' stale devices alone", async () => {
      const server = await start({ refreshTokenLifetime: '1d' });
      await server.createUser('bob');
      await server.login('bob');
      server.clock.advanceMinutes(2 * DAY_MINUTES);
      await server.login('alice');

      assert.equal((await server.snapshot()).length, 2);
    });
  });

});

/** Refreshes a pair, so the device counts as seen now and has tokens that are not expired. */
async function refreshed(server: TestServer, pair: { refresh: string }): Promise<{ access: string; refresh: string }> {
  const response = await server.api.post('/api/token/refresh', { body: { refresh: pair.refresh } });
  assert.equal(response.status, 200, `refresh failed: ${response.text}`);
  return response.body;
}
