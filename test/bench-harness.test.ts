import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { invalidRunReason, type LoadResult } from '../bench/load.js';
import { runSpeed } from '../bench/speed-run.js';
import { statementKind } from '../bench/statement-counter.js';

// Checks that the benchmark harness measures real 2xx answers; it asserts no timing.
describe('bench harness', () => {
  it('measures auth and refresh with only 2xx', async () => {
    const [run] = await runSpeed({
      frameworks: ['express'],
      database: 'sqlite',
      connections: 2,
      durationSeconds: 1,
      warmupSeconds: 1,
      scenarios: ['auth', 'refresh'],
      log: () => {},
    });

    assert.deepEqual([...run!.failures], []);
    for (const id of ['auth', 'refresh'] as const) {
      const result = run!.results.get(id);
      assert.ok(result !== undefined, `${id} has a result`);
      assert.ok(result.ok > 0, `${id} got 2xx responses`);
      assert.ok(result.requestsPerSecond > 0, `${id} has a rate`);
      assert.deepEqual(Object.keys(result.statusCounts), ['200'], `${id} got only 200`);
    }
  });

  it('rejects a run with non-2xx responses', () => {
    const result: LoadResult = { requestsPerSecond: 10, p50: 1, p99: 2, ok: 10, statusCounts: { '200': 10, '401': 3 }, errors: 0, durationSeconds: 1 };
    assert.equal(invalidRunReason(result), 'non-2xx responses: 3× 401');
  });

  it('rejects a run without responses', () => {
    const result: LoadResult = { requestsPerSecond: 0, p50: 0, p99: 0, ok: 0, statusCounts: {}, errors: 0, durationSeconds: 1 };
    assert.equal(invalidRunReason(result), 'no response');
  });

  it('sorts statements by kind', () => {
    assert.equal(statementKind('select * from "trusted_devices"'), 'reads');
    assert.equal(statementKind('update "trusted_devices" set "last_seen" = ?'), 'writes');
    assert.equal(statementKind('insert into "users" values (?)'), 'writes');
    assert.equal(statementKind('delete from "trusted_devices"'), 'writes');
    assert.equal(statementKind('begin'), 'transactions');
    assert.equal(statementKind('commit'), 'transactions');
    assert.equal(statementKind('pragma journal_mode'), 'other');
  });
});
