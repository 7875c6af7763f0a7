import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';

import { runCli } from '../src/cli/program.js';
import { openRuntime } from '../src/server/runtime.js';
import { openSqlite } from '../src/store/sqlite.js';
import { cleanEnv, PROCESS_SIGNING_KEY, runCliProcess, tempDataDir, type ExitedProcess } from './helpers/processes.js';

const PASSWORD = 'cli-test-password';
const SILENT = { debug() {}, info() {}, warn() {}, error() {} };

describe('trusted-devices CLI', () => {
  let folder: string;
  let env: NodeJS.ProcessEnv;
  // Each process start costs about a second of tsx start-up, so the exit codes,
  // stdin and the main flows run as processes and the rest through `runCli`,
  // the same code without the four-line entry point.
  const cliProcess = (args: string[], stdin = '') => runCliProcess(args, env, stdin);
  const cli = async (args: string[], stdin = ''): Promise<ExitedProcess> => {
    const output = { stdout: '', stderr: '' };
    const code = await runCli(args, {
      stdout: (line) => (output.stdout += `${line}\n`),
      stderr: (line) => (output.stderr += `${line}\n`),
      stdin: Readable.from(stdin === '' ? [] : [stdin]),
      env,
    });
    return { code, ...output };
  };

  /** Signs in `username` `count` times through the library, on the CLI's database. */
  async function signIn(username: string, count: number): Promise<string[]> {
    const runtime = await openRuntime({ env, logger: SILENT, demo: false, requireSigningKey: true });
    try {
      const uids: string[] = [];
      for (let i = 0; i < count; i++) uids.push((await runtime.td.login(username, PASSWORD, { ip: '127.0.0.1', userAgent: 'cli-test' })).deviceUid);
      return uids;
    } finally {
      await runtime.close();
    }
  }

  before(async () => {
    folder = tempDataDir();
    env = cleanEnv({ TRUSTED_DEVICES_DATA_DIR: folder, TRUSTED_DEVICES_SIGNING_KEY: PROCESS_SIGNING_KEY });
    assert.equal((await cli(['migrate'])).code, 0);
  });
  after(() => rmSync(folder, { recursive: true, force: true }));

  it('users create reads the password from stdin', async () => {
    const created = await cliProcess(['users', 'create', 'alice'], `${PASSWORD}\n`);
    assert.equal(created.code, 0, created.stderr);
    assert.match(created.stdout, /^created user alice \(id [0-9a-f-]{36}\)\n$/);
    assert.ok(!created.stdout.includes(PASSWORD));
    assert.ok(!created.stderr.includes(PASSWORD));

    assert.equal((await cli(['users', 'create', 'bob'], `${PASSWORD}\n`)).code, 0);
    assert.equal((await signIn('alice', 1)).length, 1);
  });

  it('users create fails without a password or for a taken name', async () => {
    const [missing, taken, short] = await Promise.all([
      cliProcess(['users', 'create', 'carol'], ''),
      cli(['users', 'create', 'alice'], `${PASSWORD}\n`),
      cli(['users', 'create', 'dave'], 'short\n'),
    ]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /standard input/);
    assert.equal(taken.code, 1);
    assert.match(taken.stderr, /already taken/);
    assert.equal(short.code, 1);
    assert.match(short.stderr, /Invalid password/);
    assert.ok(!short.stderr.includes('short\n'));
  });

  it('users list shows every user and state', async () => {
    const listed = await cli(['users', 'list']);
    assert.equal(listed.code, 0);
    const lines = listed.stdout.trim().split('\n');
    assert.equal(lines.length, 2);
    assert.match(lines[0]!, /^[0-9a-f-]{36} {2}alice {2}active$/);
    assert.match(lines[1]!, /^[0-9a-f-]{36} {2}bob {2}active$/);
  });

  it('devices list, revoke and revoke-all', async () => {
    const uids = await signIn('bob', 3);

    const listed = await cli(['devices', 'list', 'bob']);
    assert.equal(listed.code, 0);
    assert.deepEqual(listed.stdout.trim().split('\n').map((line) => line.split('  ')[0]).sort(), [...uids].sort());

    const revoked = await cliProcess(['devices', 'revoke', uids[0]!.toUpperCase()]);
    assert.equal(revoked.code, 0, revoked.stderr);
    assert.equal(revoked.stdout, `signed out device ${uids[0]}\n`);
    const again = await cli(['devices', 'revoke', uids[0]!]);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /no device/);

    const all = await cli(['devices', 'revoke-all', 'bob']);
    assert.equal(all.code, 0);
    assert.equal(all.stdout, 'signed out 2 devices of bob\n');
    assert.equal((await cli(['devices', 'list', 'bob'])).stdout, '');
  });

  it('users deactivate signs out the devices and blocks login', async () => {
    await signIn('bob', 2);
    const deactivated = await cliProcess(['users', 'deactivate', 'bob']);
    assert.equal(deactivated.code, 0, deactivated.stderr);
    assert.equal(deactivated.stdout, 'deactivated bob; signed out 2 devices\n');
    await assert.rejects(signIn('bob', 1), (error: { code?: string }) => error.code === 'no_active_account');
    assert.match((await cli(['users', 'list'])).stdout, /bob {2}inactive/);

    assert.equal((await cli(['users', 'activate', 'bob'])).code, 0);
    assert.equal((await signIn('bob', 1)).length, 1);
  });

  it('cleanup --dry-run counts and --days removes', async () => {
    const uids = await signIn('alice', 2);
    const db = openSqlite(join(folder, 'trusted-devices.sqlite'));
    const tenDaysAgo = Date.now() - 10 * 86400 * 1000;
    await db.updateTable('trusted_devices').set({ last_seen: tenDaysAgo }).where('device_uid', 'in', uids).execute();
    const before = await db.selectFrom('trusted_devices').select('device_uid').execute();

    const dryRun = await cli(['cleanup', '--dry-run', '--days', '5']);
    assert.equal(dryRun.code, 0);
    assert.match(dryRun.stdout, /^2 devices not seen since \S+Z would be removed\n$/);
    assert.equal((await db.selectFrom('trusted_devices').select('device_uid').execute()).length, before.length);

    const tooOld = await cli(['cleanup', '--days', '11']);
    assert.match(tooOld.stdout, /^removed 0 devices/);
    const removed = await cliProcess(['cleanup', '--days', '5', '--batch-size', '1']);
    assert.equal(removed.code, 0);
    assert.match(removed.stdout, /^removed 2 devices not seen since \S+Z\n$/);
    const left = (await db.selectFrom('trusted_devices').select('device_uid').execute()).map((row) => row.device_uid);
    assert.equal(left.length, before.length - 2);
    assert.ok(uids.every((uid) => !left.includes(uid)));
    await db.destroy();
  });

  it('a bad argument exits 2', async () => {
    const results = await Promise.all([
      cliProcess(['cleanup', '--days', 'soon']),
      cli(['cleanup', '--batch-size', '0']),
      cli(['frobnicate']),
      cli(['devices', 'list']),
    ]);
    for (const result of results) {
      assert.equal(result.code, 2, result.stderr);
      assert.notEqual(result.stderr, '');
    }
  });

  it('an unknown user exits 1', async () => {
    const results = await Promise.all([
      cliProcess(['devices', 'list', 'nobody']),
      cli(['users', 'deactivate', 'nobody']),
      cli(['devices', 'revoke', 'not-a-uuid']),
    ]);
    for (const result of results) {
      assert.equal(result.code, 1, result.stderr);
      assert.match(result.stderr, /^error: no (user|device)/);
    }
  });

  it('--help exits 0', async () => {
    const help = await cli(['--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /cleanup/);
  });
});
