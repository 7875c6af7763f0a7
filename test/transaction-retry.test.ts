import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { sql } from 'kysely';

import { serverDatabases } from './helpers/targets.js';
import { openTestDatabase, type TestDatabase } from './helpers/test-database.js';

/** Resolves when `count` parties have called `arrive`. */
function barrier(count: number): { arrive(): Promise<void> } {
  let waiting = 0;
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  return {
    arrive() {
      waiting += 1;
      if (waiting === count) release();
      return released;
    },
  };
}

for (const kind of serverDatabases()) {
  describe(`transaction retry on ${kind}`, () => {
    let database: TestDatabase;

    before(async () => {
      database = await openTestDatabase(kind);
      await sql`create table retry_probe (id int primary key, v int not null)`.execute(database.db);
      await sql`insert into retry_probe (id, v) values (1, 0), (2, 0)`.execute(database.db);
    });
    after(() => database.drop());

    it('a deadlocked transaction is retried', async () => {
      const bothLockedOneRow = barrier(2);
      let attempts = 0;

      // Each transaction locks one row, waits for the other to do the same,
      // then asks for the other's row: the database must abort one of them.
      const crossUpdate = (first: number, second: number) =>
        database.capabilities.transaction(database.db, async (trx) => {
          attempts += 1;
          const firstAttempt = attempts <= 2;
          await sql`update retry_probe set v = v + 1 where id = ${first}`.execute(trx);
          if (firstAttempt) await bothLockedOneRow.arrive();
          await sql`update retry_probe set v = v + 1 where id = ${second}`.execute(trx);
        });

      await Promise.all([crossUpdate(1, 2), crossUpdate(2, 1)]);

      assert.equal(attempts, 3);
      const rows = await sql<{ id: number; v: number }>`select id, v from retry_probe order by id`.execute(database.db);
      assert.deepEqual(
        rows.rows.map((row) => Number(row.v)),
        [2, 2],
      );
    });
  });
}
