import { randomBytes } from 'node:crypto';

import type { Kysely } from 'kysely';

import type { Database } from '../../src/store/database-schema.js';
import { KyselyStore } from '../../src/store/kysely-store.js';
import { migrateToLatest } from '../../src/store/migrate.js';
import type { TrustedDevicesEventName, TrustedDevicesEvents } from '../../src/service/events.js';
import { createTrustedDevices, type TrustedDevices, type TrustedDevicesOptions } from '../../src/trusted-devices.js';
import { SqlUserStore } from '../../src/users/sql-user-store.js';
import { FakeClock } from './clock.js';
import { ApiClient } from './http-client.js';
import { DEFAULT_TARGET, type TestTarget } from './targets.js';
import { listenApp } from './test-app.js';
import { openTestDatabase, type TestDatabaseOptions } from './test-database.js';

/** Cheap scrypt parameters so tests do not spend their time hashing. */
export const TEST_SCRYPT = { N: 2 ** 10, r: 8, p: 1 };
export const TEST_PASSWORD = 'correct horse battery';

export type TestOptions = Partial<Omit<TrustedDevicesOptions, 'users' | 'store' | 'database' | 'clock'>> & {
  /** Framework and database; default Express over SQLite. */
  target?: TestTarget;
  /** Pool size, timeouts, or a proxy to reach the database through. */
  databaseOptions?: TestDatabaseOptions;
};

/** Every event payload received, by event name, in order. */
export type RecordedEvents = { [K in TrustedDevicesEventName]: TrustedDevicesEvents[K][] };

export interface TestServer {
  td: TrustedDevices;
  api: ApiClient;
  clock: FakeClock;
  users: SqlUserStore;
  db: Kysely<Database>;
  events: RecordedEvents;
  /** Creates a user with `TEST_PASSWORD` and returns its id. */
  createUser(username: string): Promise<string>;
  /** Logs in over HTTP and returns the token response. */
  login(username: string, headers?: Record<string, string>): Promise<{ access: string; refresh: string; device_uid: string }>;
  /** Every device row, for asserting that a rejected request changed nothing. */
  snapshot(): Promise<unknown[]>;
  close(): Promise<void>;
}

/**
 * Starts the standalone server's app on an ephemeral port of 127.0.0.1, over
 * a new database of its own, with a fake clock and no geolocation.
 */
export async function startTestServer(testOptions: TestOptions = {}): Promise<TestServer> {
  const { target = DEFAULT_TARGET, databaseOptions, ...options } = testOptions;
  const database = await openTestDatabase(target.database, databaseOptions);
  const db = database.db;
  // A failed set-up drops the database at once, since no `close` will; its open connections would keep the test process alive.
  try {
    await migrateToLatest(db as Kysely<unknown>, { includeUsers: true, tablePrefix: options.tablePrefix ?? '' });
  } catch (error) {
    await database.drop();
    throw error;
  }
  const users = new SqlUserStore(db, { scrypt: TEST_SCRYPT, tablePrefix: options.tablePrefix ?? '' });
  const clock = new FakeClock();

  const td = await createTrustedDevices({
    signingKey: randomBytes(32).toString('hex'),
    geolocation: false,
    // Suites log in far more than 5 times a minute from 127.0.0.1; the throttle tests turn it on.
    loginThrottle: false,
    ...options,
    users,
    store: new KyselyStore(db, database.capabilities, { tablePrefix: options.tablePrefix ?? '', onClose: () => Promise.resolve() }),
    clock: clock.read,
  });
  const events = recordEvents(td);

  const app = await listenApp(target.adapter, td);
  const api = new ApiClient(app.baseUrl);

  return {
    td,
    api,
    clock,
    users,
    db,
    events,
    async createUser(username) {
      return (await users.createUser(username, TEST_PASSWORD)).id;
    },
    async login(username, headers) {
      const response = await api.post('/api/token', { body: { username, password: TEST_PASSWORD }, headers });
      if (response.status !== 200) throw new Error(`login of ${username} failed: ${response.status} ${response.text}`);
      return response.body as { access: string; refresh: string; device_uid: string };
    },
    async snapshot() {
      return db.selectFrom(`${options.tablePrefix ?? ''}trusted_devices` as 'trusted_devices').selectAll().orderBy('device_uid').execute();
    },
    async close() {
      await app.close();
      await td.close();
      await database.drop();
    },
  };
}

function recordEvents(td: TrustedDevices): RecordedEvents {
  const events: RecordedEvents = { deviceCreated: [], deviceRevoked: [], suspiciousLogin: [], deviceCompromised: [], refreshTokenReused: [] };
  for (const name of Object.keys(events) as TrustedDevicesEventName[]) {
    td.on(name, (payload) => {
      (events[name] as unknown[]).push(payload);
    });
  }
  return events;
}
