import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';

import type { Kysely } from 'kysely';

import { TrustedDevicesError } from '../src/errors.js';
import type { DeviceChangeNotifier } from '../src/store/device-notifier.js';
import { migrateToLatest } from '../src/store/migrate.js';
import { PostgresNotifier } from '../src/store/postgres-notifier.js';
import { RedisNotifier } from '../src/store/redis-notifier.js';
import { createTrustedDevices, type TrustedDevices } from '../src/trusted-devices.js';
import { SqlUserStore } from '../src/users/sql-user-store.js';
import { FakeClock } from './helpers/clock.js';
import { reachableRedis, REDIS_URL, SERVER_URLS } from './helpers/database-servers.js';
import { RecordingLogger } from './helpers/recording-logger.js';
import { serverDatabases } from './helpers/targets.js';
import { TcpProxy } from './helpers/tcp-proxy.js';
import { openTestDatabase, type TestDatabase } from './helpers/test-database.js';
import { TEST_PASSWORD, TEST_SCRYPT } from './helpers/test-server.js';

/** Counts the entries whose message matches. */
function countMessages(logger: RecordingLogger, pattern: RegExp): number {
  return logger.entries.filter((entry) => pattern.test(entry.message ?? '')).length;
}

const CLIENT = { ip: '127.0.0.1', userAgent: 'notification test' };
/** Polls for up to 10 s; without a message, instance B would accept the device for the full hour of its cache. */
const POLL_ATTEMPTS = 1_000;
const POLL_INTERVAL_MS = 10;

type Channel = 'postgres' | 'redis';
const channels: Channel[] = [
  ...(serverDatabases().includes('postgres') ? (['postgres'] as const) : []),
  ...((await reachableRedis()) && serverDatabases().length > 0 ? (['redis'] as const) : []),
];

for (const channel of channels) describe(`device notifications over ${channel}`, { timeout: 60_000 }, () => {
  let database: TestDatabase;
  let proxy: TcpProxy;
  let userId: string;
  let instanceA: TrustedDevices;
  let instanceB: TrustedDevices;
  const clockA = new FakeClock();
  const clockB = new FakeClock();
  const loggerB = new RecordingLogger();

  /** Creates a notifier on a channel of this test's own, reached directly or through the proxy. */
  function notifier(port: number, logger: RecordingLogger, name: string): DeviceChangeNotifier {
    const upstream = new URL(channel === 'postgres' ? SERVER_URLS.postgres : REDIS_URL);
    upstream.hostname = '127.0.0.1';
    upstream.port = String(port);
    return channel === 'postgres'
      ? new PostgresNotifier({ connection: { connectionString: upstream.toString(), connectionTimeoutMillis: 1_000 }, db: database.db, channel: name, logger, heartbeatMs: 500 })
      : new RedisNotifier({ url: upstream.toString(), channel: name, logger });
  }

  before(async () => {
    database = await openTestDatabase(channel === 'postgres' ? 'postgres' : serverDatabases()[0]!);
    await migrateToLatest(database.db as Kysely<unknown>, { includeUsers: true });
    const users = new SqlUserStore(database.db, { scrypt: TEST_SCRYPT });
    userId = (await users.createUser('alice', TEST_PASSWORD)).id;

    const upstream = new URL(channel === 'postgres' ? SERVER_URLS.postgres : REDIS_URL);
    proxy = await TcpProxy.start({ host: upstream.hostname, port: Number(upstream.port) });
    const channelName = `td_test_${randomBytes(6).toString('hex')}`;
    const common = { signingKey: randomBytes(32).toString('hex'), users, database: database.db, deviceCacheSeconds: 3600, userCacheSeconds: 3600, updateDelayMinutes: 0, geolocation: false as const };
    instanceA = await createTrustedDevices({ ...common, clock: clockA.read, notifications: notifier(Number(upstream.port), new RecordingLogger(), channelName) });
    instanceB = await createTrustedDevices({
      ...common,
      clock: clockB.read,
      logger: loggerB,
      deviceCacheFallbackSeconds: 1,
      notifications: notifier(proxy.port, loggerB, channelName),
    });
  });
  after(async () => {
    proxy.setMode('forward');
    await instanceA.close();
    await instanceB.close();
    await proxy.close();
    await database.drop();
  });

  const authenticateOnB = (access: string) => instanceB.authenticate(`Bearer ${access}`, CLIENT);
  async function rejectionCode(access: string): Promise<string | undefined> {
    try {
      await authenticateOnB(access);
      return undefined;
    } catch (error) {
      if (error instanceof TrustedDevicesError) return error.code;
      throw error;
    }
  }
  async function pollUntil(condition: () => Promise<boolean> | boolean): Promise<number> {
    const started = performance.now();
    for (let attempt = 0; attempt < POLL_ATTEMPTS; attempt++) {
      if (await condition()) return performance.now() - started;
      await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
    }
    throw new Error(`condition not met after ${POLL_ATTEMPTS * POLL_INTERVAL_MS} ms`);
  }

  it('a revocation on A reaches B', async (t) => {
    const session = await instanceA.login('alice', TEST_PASSWORD, CLIENT);
    await pollUntil(() => countMessages(loggerB, /channel connected/) > 0);
    await authenticateOnB(session.access);

    assert.equal(await instanceA.revokeDevice(userId, session.deviceUid), true);
    const elapsedMs = await pollUntil(async () => (await rejectionCode(session.access)) === 'device_not_recognized');
    t.diagnostic(`${channel}: B rejected the revoked device ${elapsedMs.toFixed(1)} ms after A revoked it`);
  });

  it('a dropped channel limits the cache, then reconnects', async () => {
    proxy.setMode('refuse');
    await pollUntil(() => countMessages(loggerB, /channel down/) > 0);

    // While the channel is down, B caches for deviceCacheFallbackSeconds only.
    const session = await instanceA.login('alice', TEST_PASSWORD, CLIENT);
    await authenticateOnB(session.access);
    await instanceA.revokeDevice(userId, session.deviceUid);
    assert.equal(await rejectionCode(session.access), undefined, 'served from the cache: the message was lost');
    clockB.advance(1_000);
    assert.equal(await rejectionCode(session.access), 'device_not_recognized');

    proxy.setMode('forward');
    await pollUntil(() => countMessages(loggerB, /channel connected/) > 1);
    assert.ok(loggerB.entries.some((entry) => entry.level === 'warn' && /reconnecting/.test(entry.message ?? '')), 'reconnection attempts are logged');
    const later = await instanceA.login('alice', TEST_PASSWORD, CLIENT);
    await authenticateOnB(later.access);
    await instanceA.revokeDevice(userId, later.deviceUid);
    await pollUntil(async () => (await rejectionCode(later.access)) === 'device_not_recognized');
  });

  it('a flag change on A reaches B', async () => {
    const actor = await instanceA.login('alice', TEST_PASSWORD, CLIENT);
    const target = await instanceA.login('alice', TEST_PASSWORD, CLIENT);
    const onB = await authenticateOnB(target.access);
    assert.equal(onB.device.canDeleteOtherDevices, true);

    const actorAuth = await instanceA.authenticate(`Bearer ${actor.access}`, CLIENT);
    await instanceA.updateDevice(actorAuth, target.deviceUid, { canDeleteOtherDevices: false });
    await pollUntil(async () => (await authenticateOnB(target.access)).device.canDeleteOtherDevices === false);
  });
});
