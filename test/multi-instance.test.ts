import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';

import type { Kysely } from 'kysely';

import { migrateToLatest } from '../src/store/migrate.js';
import { SqlUserStore } from '../src/users/sql-user-store.js';
import { reachableRedis, REDIS_URL } from './helpers/database-servers.js';
import { ApiClient } from './helpers/http-client.js';
import { startServerProcess, type ServerProcess } from './helpers/server-process.js';
import { serverDatabases } from './helpers/targets.js';
import { openTestDatabase, type TestDatabase } from './helpers/test-database.js';
import { TEST_PASSWORD } from './helpers/test-server.js';

/** Polls for up to 10 s; without a message, instance B would accept the device for the full hour of its cache. */
const POLL_ATTEMPTS = 1_000;
const POLL_INTERVAL_MS = 10;

const channels = [
  ...(serverDatabases().includes('postgres') ? ['postgres'] : []),
  ...(serverDatabases().includes('postgres') && (await reachableRedis()) ? [REDIS_URL] : []),
];

for (const notifications of channels) describe(`two server processes over PostgreSQL, notifications ${notifications}`, { timeout: 90_000 }, () => {
  let database: TestDatabase;
  let instanceA: ServerProcess;
  let instanceB: ServerProcess;
  let apiA: ApiClient;
  let apiB: ApiClient;

  before(async () => {
    database = await openTestDatabase('postgres');
    await migrateToLatest(database.db as Kysely<unknown>, { includeUsers: true });
    await new SqlUserStore(database.db).createUser('alice', TEST_PASSWORD);
    const env = {
      TRUSTED_DEVICES_SIGNING_KEY: randomBytes(32).toString('hex'),
      TRUSTED_DEVICES_DATABASE_URL: database.url,
      TRUSTED_DEVICES_DATABASE_POOL_SIZE: '3',
      TRUSTED_DEVICES_NOTIFICATIONS: notifications,
      // An hour of cache: only a message can make B drop the device in time.
      TRUSTED_DEVICES_DEVICE_CACHE_SECONDS: '3600',
      TRUSTED_DEVICES_USER_CACHE_SECONDS: '3600',
      TRUSTED_DEVICES_DELETE_DELAY_MINUTES: '0',
    };
    [instanceA, instanceB] = await Promise.all([startServerProcess(env), startServerProcess(env)]);
    apiA = new ApiClient(instanceA.baseUrl);
    apiB = new ApiClient(instanceB.baseUrl);
  });
  after(async () => {
    await Promise.all([instanceA?.stop(), instanceB?.stop()]);
    await database.drop();
  });

  it('a device revoked through A is rejected by B', async (t) => {
    const login = async () => (await apiA.post('/api/token', { body: { username: 'alice', password: TEST_PASSWORD } })).body as { access: string; device_uid: string };
    const actor = await login();
    const victim = await login();
    assert.equal((await apiB.get('/api/me', { token: victim.access })).status, 200);
    assert.ok(instanceB.logs.some((line) => line.msg === 'device notification channel connected; device cache enabled'));

    const revoked = await apiA.delete(`/trusted-devices/${victim.device_uid}`, { token: actor.access });
    assert.equal(revoked.status, 204);
    const started = performance.now();
    let response = await apiB.get('/api/me', { token: victim.access });
    for (let attempt = 1; response.status === 200 && attempt < POLL_ATTEMPTS; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
      response = await apiB.get('/api/me', { token: victim.access });
    }
    const elapsedMs = performance.now() - started;

    assert.equal(response.status, 401);
    assert.equal(response.body.code, 'device_not_recognized');
    t.diagnostic(`notifications ${notifications}: B rejected the device ${elapsedMs.toFixed(1)} ms after A answered the revocation (polled every ${POLL_INTERVAL_MS} ms)`);
    assert.equal((await apiB.get('/api/me', { token: actor.access })).status, 200);
  });
});
