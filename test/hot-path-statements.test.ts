import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';

import type { Kysely, KyselyPlugin, PluginTransformQueryArgs, PluginTransformResultArgs, QueryResult, RootOperationNode, UnknownRow } from 'kysely';

import { KyselyStore } from '../src/store/kysely-store.js';
import { migrateToLatest } from '../src/store/migrate.js';
import { createTrustedDevices, type TrustedDevices } from '../src/trusted-devices.js';
import { SqlUserStore } from '../src/users/sql-user-store.js';
import { FakeClock } from './helpers/clock.js';
import { ApiClient } from './helpers/http-client.js';
import { targetLabel, testTargets } from './helpers/targets.js';
import { listenApp, type ListeningApp } from './helpers/test-app.js';
import { openTestDatabase, type TestDatabase } from './helpers/test-database.js';
import { TEST_PASSWORD, TEST_SCRYPT } from './helpers/test-server.js';

/** Records the kind of every statement sent through the Kysely instance it is plugged into. */
class StatementLog implements KyselyPlugin {
  statements: { kind: RootOperationNode['kind']; table: string | undefined; columns: string[] }[] = [];

  transformQuery({ node }: PluginTransformQueryArgs): RootOperationNode {
    const json = JSON.stringify(node);
    const table = /"table":\{"kind":"IdentifierNode","name":"([^"]+)"/.exec(json)?.[1];
    const columns = node.kind === 'UpdateQueryNode' ? (node.updates ?? []).map((update) => JSON.stringify(update.column).match(/"name":"([^"]+)"/)?.[1] ?? '?') : [];
    this.statements.push({ kind: node.kind, table, columns });
    return node;
  }

  transformResult({ result }: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return Promise.resolve(result);
  }

  count(kind: RootOperationNode['kind']): number {
    return this.statements.filter((statement) => statement.kind === kind).length;
  }
}

const REQUESTS = 1000;
const STEP_MS = 200;
const WRITE_INTERVAL_SECONDS = 60;

for (const target of testTargets().filter((target) => target.adapter === 'express')) describe(`hot path statements (${targetLabel(target)})`, () => {
  let database: TestDatabase;
  let td: TrustedDevices;
  let app: ListeningApp;
  let api: ApiClient;
  const clock = new FakeClock();
  const log = new StatementLog();

  before(async () => {
    database = await openTestDatabase(target.database);
    await migrateToLatest(database.db as Kysely<unknown>, { includeUsers: true });
    const counted = database.db.withPlugin(log);
    const users = new SqlUserStore(counted, { scrypt: TEST_SCRYPT });
    await users.createUser('alice', TEST_PASSWORD);
    td = await createTrustedDevices({
      signingKey: randomBytes(32).toString('hex'),
      users,
      store: new KyselyStore(counted, database.capabilities, { onClose: () => Promise.resolve() }),
      clock: clock.read,
      geolocation: false,
      trustProxy: true,
      deviceCacheSeconds: 3600,
      userCacheSeconds: 3600,
      lastSeenWriteIntervalSeconds: WRITE_INTERVAL_SECONDS,
      accessTokenLifetime: '1h',
    });
    app = await listenApp('express', td);
    api = new ApiClient(app.baseUrl);
  });
  after(async () => {
    await app.close();
    await td.close();
    await database.drop();
  });

  /** Lets a coalesced `last_seen` write, sent without waiting, finish before counting. */
  const settle = () => new Promise((resolve) => setTimeout(resolve, 50));

  it('1,000 requests write only coalesced last_seen', async () => {
    const login = await api.post('/api/token', { body: { username: 'alice', password: TEST_PASSWORD }, headers: { 'x-forwarded-for': '203.0.113.7' } });
    assert.equal(login.status, 200);
    const headers = { 'x-forwarded-for': '203.0.113.7' };
    assert.equal((await api.get('/api/me', { token: login.body.access, headers })).status, 200);
    await settle();
    log.statements = [];

    for (let i = 0; i < REQUESTS; i++) {
      clock.advance(STEP_MS);
      const response = await api.get('/api/me', { token: login.body.access, headers });
      assert.equal(response.status, 200);
    }
    await settle();

    const expectedWrites = Math.floor((REQUESTS * STEP_MS) / (WRITE_INTERVAL_SECONDS * 1000));
    assert.equal(log.count('SelectQueryNode'), 0, 'reads');
    assert.equal(log.count('InsertQueryNode'), 0, 'inserts');
    assert.equal(log.count('DeleteQueryNode'), 0, 'deletes');
    assert.equal(log.count('RawNode'), 0, 'raw statements');
    assert.equal(log.count('UpdateQueryNode'), expectedWrites, 'coalesced last_seen writes');
    assert.equal(log.statements.length, expectedWrites, 'statements in all');
    for (const statement of log.statements) assert.deepEqual(statement.columns.sort(), ['last_ip', 'last_seen']);
    const row = await database.db.selectFrom('trusted_devices').select('last_seen').where('device_uid', '=', login.body.device_uid).executeTakeFirstOrThrow();
    assert.equal(Number(row.last_seen), clock.now - ((REQUESTS * STEP_MS) % (WRITE_INTERVAL_SECONDS * 1000)));
  });

  it('a new address is written once', async () => {
    const login = await api.post('/api/token', { body: { username: 'alice', password: TEST_PASSWORD }, headers: { 'x-forwarded-for': '203.0.113.8' } });
    const token = login.body.access;
    assert.equal((await api.get('/api/me', { token, headers: { 'x-forwarded-for': '203.0.113.8' } })).status, 200);
    // Past the concurrent-session window, so the move is not taken for a second party.
    clock.advance(61_000);
    await settle();
    log.statements = [];

    for (let i = 0; i < 100; i++) {
      const response = await api.get('/api/me', { token, headers: { 'x-forwarded-for': '198.51.100.20' } });
      assert.equal(response.status, 200);
    }
    await settle();

    assert.equal(log.statements.length, 1);
    assert.equal(log.count('UpdateQueryNode'), 1);
    const row = await database.db.selectFrom('trusted_devices').select('last_ip').where('device_uid', '=', login.body.device_uid).executeTakeFirstOrThrow();
    assert.equal(row.last_ip, '198.51.100.20');
  });
});
