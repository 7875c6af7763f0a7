import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';

import { Kysely, PostgresDialect, sql } from 'kysely';
import mysql from 'mysql2';
import pg from 'pg';

import { readDatabaseEnv } from '../src/server/database-env.js';
import { migrateToLatest } from '../src/store/migrate.js';
import { describeUrl, openDatabase } from '../src/store/open-database.js';
import { SERVER_URLS } from './helpers/database-servers.js';
import { serverDatabases } from './helpers/targets.js';
import { openTestDatabase } from './helpers/test-database.js';

describe('openDatabase', () => {
  it('opens SQLite from a path or a sqlite: URL', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'trusted-devices-open-'));
    try {
      for (const source of [join(folder, 'a.sqlite'), `sqlite:${join(folder, 'b.sqlite')}`, ':memory:']) {
        const opened = await openDatabase(source);
        assert.equal(opened.capabilities.name, 'sqlite', source);
        assert.equal(opened.postgresListenConfig, undefined);
        await opened.close();
      }
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it('rejects unknown schemes and bad pool settings', async () => {
    await assert.rejects(openDatabase('mongodb://127.0.0.1/test'), { name: 'TypeError', message: /unsupported URL scheme "mongodb:"/ });
    await assert.rejects(openDatabase('sqlite:'), { name: 'TypeError', message: /SQLite path is empty/ });
    await assert.rejects(openDatabase(':memory:', { poolSize: 0 }), { name: 'TypeError', message: /"poolSize": 0/ });
    await assert.rejects(openDatabase(42 as never), { name: 'TypeError', message: /pass a URL/ });
  });

  it('describes URLs without credentials', () => {
    assert.equal(describeUrl('postgres://user:secret@db.example:5432/app?sslmode=require'), 'postgres://db.example:5432/app');
  });

  for (const database of serverDatabases()) {
    it(`opens ${database} from a URL, a Kysely instance and a pool`, async () => {
      const fromUrl = await openDatabase(SERVER_URLS[database], { poolSize: 2 });
      assert.equal(fromUrl.capabilities.name, database);
      assert.equal(fromUrl.postgresListenConfig !== undefined, database === 'postgres');
      const fromKysely = await openDatabase(fromUrl.db);
      assert.equal(fromKysely.capabilities.name, database);
      await fromKysely.close();
      // The host's instance stays open after close.
      assert.deepEqual((await sql<{ one: number }>`select 1 as one`.execute(fromUrl.db)).rows.map((row) => Number(row.one)), [1]);
      await fromUrl.close();

      if (database === 'postgres') {
        const pool = new pg.Pool({ connectionString: SERVER_URLS.postgres, max: 1 });
        const fromPool = await openDatabase(pool);
        assert.equal(fromPool.capabilities.name, 'postgres');
        await fromPool.close();
        assert.equal((await pool.query('select 1 as one')).rows[0].one, 1);
        await pool.end();
        const hostKysely = new Kysely({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: SERVER_URLS.postgres, max: 1 }) }) });
        assert.equal((await openDatabase(hostKysely)).postgresListenConfig, undefined);
        await hostKysely.destroy();
      } else {
        const pool = mysql.createPool({ uri: SERVER_URLS.mysql, connectionLimit: 1 });
        const fromPool = await openDatabase(pool);
        assert.equal(fromPool.capabilities.name, 'mysql');
        assert.deepEqual((await sql<{ one: number }>`select 1 as one`.execute(fromPool.db)).rows.map((row) => Number(row.one)), [1]);
        await fromPool.close();
        await new Promise<void>((resolve) => pool.end(() => resolve()));
      }
    });
  }
});

describe('database environment', () => {
  it('reads the URL, pool settings and channel', () => {
    const env = readDatabaseEnv(
      {
        TRUSTED_DEVICES_DATABASE_URL: 'postgres://db/app',
        TRUSTED_DEVICES_DATABASE_POOL_SIZE: '20',
        TRUSTED_DEVICES_DATABASE_QUERY_TIMEOUT_MS: '3000',
        TRUSTED_DEVICES_NOTIFICATIONS: 'redis://127.0.0.1:6379',
      },
      '/data/default.sqlite',
    );
    assert.deepEqual(env, { source: 'postgres://db/app', connection: { poolSize: 20, queryTimeoutMs: 3000 }, notifications: 'redis://127.0.0.1:6379' });
    assert.deepEqual(readDatabaseEnv({ TRUSTED_DEVICES_NOTIFICATIONS: 'off' }, '/data/x.sqlite'), { source: '/data/x.sqlite', connection: {}, notifications: false });
  });

  it('names the variable of a bad value', () => {
    assert.throws(() => readDatabaseEnv({ TRUSTED_DEVICES_DATABASE_POOL_SIZE: 'ten' }, 'x'), /TRUSTED_DEVICES_DATABASE_POOL_SIZE="ten": expected a whole number/);
    assert.throws(() => readDatabaseEnv({ TRUSTED_DEVICES_NOTIFICATIONS: 'kafka' }, 'x'), /TRUSTED_DEVICES_NOTIFICATIONS="kafka": expected postgres/);
  });
});

describe('migrations on PostgreSQL', { skip: !serverDatabases().includes('postgres') }, () => {
  it('ignore tables of another schema', async () => {
    const first = await openTestDatabase('postgres');
    const second = await openTestDatabase('postgres');
    try {
      await migrateToLatest(first.db as Kysely<unknown>, { includeUsers: true });
      const applied = await migrateToLatest(second.db as Kysely<unknown>, { includeUsers: true });
      assert.ok(applied.includes('0001_create_trusted_devices'), applied.join(', '));
      assert.ok(applied.includes('0001_create_users'), applied.join(', '));
    } finally {
      await first.drop();
      await second.drop();
    }
  });
});
