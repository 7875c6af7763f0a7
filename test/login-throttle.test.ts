import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';

import { Redis } from 'ioredis';
import pg from 'pg';

import { createTrustedDevices } from '../src/trusted-devices.js';
import { reachableRedis, REDIS_URL, SERVER_URLS } from './helpers/database-servers.js';
import { serverDatabases } from './helpers/targets.js';
import { startTestServer, TEST_PASSWORD, type TestOptions, type TestServer } from './helpers/test-server.js';

const WRONG = 'wrong password';
// Required in CI; elsewhere a missing server skips its block with one line.
const redisSkip = (await reachableRedis()) ? false : 'Redis is not reachable';
const postgresSkip = serverDatabases().includes('postgres') ? false : 'PostgreSQL is not reachable';

function attempt(server: TestServer, username: string, password: string, ip?: string) {
  return server.api.post('/api/token', {
    body: { username, password },
    ...(ip === undefined ? {} : { headers: { 'x-forwarded-for': ip } }),
  });
}

async function withServer(options: TestOptions, body: (server: TestServer) => Promise<void>): Promise<void> {
  const server = await startTestServer({ loginThrottle: true, ...options });
  try {
    await server.createUser('alice');
    await body(server);
  } finally {
    await server.close();
  }
}

describe('login throttle (memory)', () => {
  it('sixth attempt a minute from one address is throttled', () =>
    withServer({}, async (server) => {
      for (let index = 1; index <= 5; index += 1) {
        const response = await attempt(server, 'alice', WRONG);
        assert.equal(response.status, 401, `attempt ${index}`);
      }
      const before = await server.snapshot();

      const throttled = await attempt(server, 'alice', TEST_PASSWORD);
      assert.equal(throttled.status, 429);
      assert.equal(throttled.body.code, 'throttled');
      const retryAfter = Number(throttled.headers.get('retry-after'));
      assert.ok(Number.isInteger(retryAfter), `Retry-After ${retryAfter}`);
      assert.ok(retryAfter >= 1, `Retry-After ${retryAfter}`);
      assert.ok(retryAfter <= 60, `Retry-After ${retryAfter}`);
      assert.match(throttled.body.detail, /Try again in \d+ seconds\./);
      assert.deepEqual(await server.snapshot(), before, 'a throttled login creates no device');

      const otherUser = await attempt(server, 'bob', WRONG);
      assert.equal(otherUser.status, 429, 'the address limit covers every username');
    }));

  it('username limit applies across addresses', () =>
    withServer({ trustProxy: true, loginAttemptsPerUsername: 3 }, async (server) => {
      for (let index = 1; index <= 3; index += 1) {
        assert.equal((await attempt(server, 'alice', WRONG, `198.51.100.${index}`)).status, 401);
      }
      const throttled = await attempt(server, 'ALICE', WRONG, '198.51.100.200');
      assert.equal(throttled.status, 429, 'usernames are counted without case');
      assert.match(throttled.body.detail, /this account/);
      assert.equal((await attempt(server, 'bob', WRONG, '198.51.100.201')).status, 401);
    }));

  it('successful login resets the username count', () =>
    withServer({ trustProxy: true, loginAttemptsPerUsername: 3 }, async (server) => {
      const sequence = [WRONG, WRONG, TEST_PASSWORD, WRONG, WRONG, TEST_PASSWORD];
      for (const [index, password] of sequence.entries()) {
        const response = await attempt(server, 'alice', password, `198.51.100.${index + 1}`);
        assert.equal(response.status, password === WRONG ? 401 : 200, `attempt ${index + 1}`);
      }
    }));

  it('IPv6 addresses count per /64', () =>
    withServer({ trustProxy: true, loginAttemptsPerIp: 2 }, async (server) => {
      assert.equal((await attempt(server, 'alice', WRONG, '2001:db8:1:2::1')).status, 401);
      assert.equal((await attempt(server, 'bob', WRONG, '2001:db8:1:2:ffff::9')).status, 401);
      assert.equal((await attempt(server, 'carol', WRONG, '2001:db8:1:2::77')).status, 429);
      assert.equal((await attempt(server, 'carol', WRONG, '2001:db8:1:3::1')).status, 401);
    }));

  it('loginThrottle false turns it off', () =>
    withServer({ loginThrottle: false }, async (server) => {
      for (let index = 1; index <= 8; index += 1) assert.equal((await attempt(server, 'alice', WRONG)).status, 401);
    }));
});

describe('login throttle (Redis, two instances)', { skip: redisSkip }, () => {
  const prefix = `td_test_${randomUUID().replaceAll('-', '')}`;
  let redis: Redis;
  let first: TestServer;
  let second: TestServer;

  before(async () => {
    redis = new Redis(REDIS_URL, { lazyConnect: true });
    await redis.connect();
    const options: TestOptions = { loginThrottle: true, loginThrottleStore: { redis }, loginThrottleKeyPrefix: prefix };
    first = await startTestServer(options);
    second = await startTestServer(options);
    await first.createUser('alice');
    await second.createUser('alice');
  });
  after(async () => {
    await first.close();
    await second.close();
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });

  it('instances share the per-address count', async () => {
    const servers = [first, second, first, second, first];
    for (const [index, server] of servers.entries()) {
      assert.equal((await attempt(server, 'alice', WRONG)).status, 401, `attempt ${index + 1}`);
    }
    for (const server of [second, first]) {
      const throttled = await attempt(server, 'alice', TEST_PASSWORD);
      assert.equal(throttled.status, 429);
      assert.equal(throttled.body.code, 'throttled');
      assert.ok(Number(throttled.headers.get('retry-after')) >= 1);
    }
    assert.ok((await redis.keys(`${prefix}:ip:*`)).length === 1, 'the count lives in Redis');
  });
});

describe('login throttle (PostgreSQL)', { skip: postgresSkip }, () => {
  const tableName = `td_throttle_${randomUUID().replaceAll('-', '')}`;
  let pool: pg.Pool;
  let server: TestServer;

  before(async () => {
    pool = new pg.Pool({ connectionString: SERVER_URLS.postgres, max: 2 });
    server = await startTestServer({ loginThrottle: true, loginAttemptsPerIp: 2, loginThrottleStore: { postgres: pool, tableName } });
    await server.createUser('alice');
  });
  after(async () => {
    await server.close();
    await pool.query(`DROP TABLE IF EXISTS "${tableName}"`);
    await pool.end();
  });

  it('counts attempts in a table', async () => {
    assert.equal((await attempt(server, 'alice', WRONG)).status, 401);
    assert.equal((await attempt(server, 'alice', WRONG)).status, 401);
    const throttled = await attempt(server, 'alice', TEST_PASSWORD);
    assert.equal(throttled.status, 429);
    assert.ok(Number(throttled.headers.get('retry-after')) >= 1);
    const rows = await pool.query(`SELECT key FROM "${tableName}"`);
    assert.equal(rows.rowCount, 2, 'one row per address and one per username');
  });
});

describe('login throttle store failure', () => {
  it('fails closed with 503', async () => {
    // Port 9 (discard) on 127.0.0.1 has no Redis, so every command fails.
    const redis = new Redis({ host: '127.0.0.1', port: 9, lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => null });
    try {
      await withServer({ loginThrottleStore: { redis } }, async (server) => {
        const before = await server.snapshot();
        const response = await attempt(server, 'alice', TEST_PASSWORD);
        assert.equal(response.status, 503);
        assert.equal(response.body.code, 'service_unavailable');
        assert.deepEqual(await server.snapshot(), before);
      });
    } finally {
      redis.disconnect();
    }
  });

  it('rejects a store that is not one', async () => {
    const users = { verifyCredentials: () => Promise.resolve(null), findById: () => Promise.resolve(null) };
    for (const loginThrottleStore of [{ redis: null }, 'redis', {}]) {
      await assert.rejects(
        createTrustedDevices({ signingKey: 'k'.repeat(32), database: ':memory:', users, loginThrottleStore: loginThrottleStore as never }),
        { name: 'TypeError', message: /^Invalid option "loginThrottleStore"/ },
      );
    }
  });
});
