import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';

import { targetLabel, testTargets } from './helpers/targets.js';
import { startTestServer, type TestServer } from './helpers/test-server.js';

const DAY_MS = 24 * 3600 * 1000;

for (const target of testTargets()) describe(`cleanupStaleDevices (${targetLabel(target)})`, () => {
  let server: TestServer;
  afterEach(() => server.close());

  /** Logs in `count` devices for each of three users, then moves the clock by `laterMs`. */
  async function seed(count: number, laterMs: number): Promise<string[]> {
    const uids: string[] = [];
    for (const username of ['alice', 'bob', 'carol']) {
      await server.createUser(username);
      for (let i = 0; i < count; i++) uids.push((await server.login(username)).device_uid);
    }
    server.clock.advance(laterMs);
    return uids;
  }

  it('removes devices not seen within the refresh lifetime, in batches', async () => {
    server = await startTestServer({ target });
    const stale = await seed(3, DAY_MS + 1);
    await server.createUser('dave');
    const fresh = await server.login('dave');

    const result = await server.td.cleanupStaleDevices({ batchSize: 2 });
    assert.equal(result.count, 9);
    assert.equal(result.dryRun, false);
    assert.equal(result.seenBefore, server.clock.now - DAY_MS);
    assert.deepEqual((await server.snapshot()).map((row: any) => row.device_uid), [fresh.device_uid]);
    assert.deepEqual(server.events.deviceRevoked.map((event) => event.device.deviceUid).sort(), [...stale].sort());
  });

  it('keeps a device seen exactly at the cutoff', async () => {
    server = await startTestServer({ target });
    await seed(1, DAY_MS);

    const result = await server.td.cleanupStaleDevices();
    assert.equal(result.count, 0);
    assert.equal((await server.snapshot()).length, 3);
  });

  it('dryRun counts without removing', async () => {
    server = await startTestServer({ target });
    await seed(2, 2 * DAY_MS);
    const before = await server.snapshot();

    const result = await server.td.cleanupStaleDevices({ dryRun: true });
    assert.equal(result.count, 6);
    assert.equal(result.dryRun, true);
    assert.deepEqual(await server.snapshot(), before);
    assert.equal(server.events.deviceRevoked.length, 0);
  });

  it('olderThan sets the cutoff', async () => {
    server = await startTestServer({ target });
    await seed(1, 3600 * 1000);

    assert.equal((await server.td.cleanupStaleDevices({ olderThan: 3601 })).count, 0);
    assert.equal((await server.td.cleanupStaleDevices({ olderThan: '1h1s' })).count, 0);
    assert.equal((await server.td.cleanupStaleDevices({ olderThan: 3599 })).count, 3);
    assert.deepEqual(await server.snapshot(), []);
  });

  it('a removed device is rejected at once', async () => {
    server = await startTestServer({ target, accessTokenLifetime: '2d' });
    await server.createUser('alice');
    const pair = await server.login('alice');
    assert.equal((await server.api.get('/trusted-devices', { token: pair.access })).status, 200);
    server.clock.advance(DAY_MS + 1);

    await server.td.cleanupStaleDevices();
    const response = await server.api.get('/trusted-devices', { token: pair.access });
    assert.equal(response.status, 401);
    assert.equal(response.body.code, 'device_not_recognized');
  });

  it('rejects a bad batch size or age', async () => {
    server = await startTestServer({ target });
    await assert.rejects(server.td.cleanupStaleDevices({ batchSize: 0 }), TypeError);
    await assert.rejects(server.td.cleanupStaleDevices({ batchSize: 1.5 }), TypeError);
    await assert.rejects(server.td.cleanupStaleDevices({ olderThan: -1 }), TypeError);
    await assert.rejects(server.td.cleanupStaleDevices({ olderThan: Number.NaN }), TypeError);
    await assert.rejects(server.td.cleanupStaleDevices({ olderThan: 'soon' }), TypeError);
  });
});
