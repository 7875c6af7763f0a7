import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';

import { runCli } from '../src/cli/program.js';
import { cleanEnv, PROCESS_SIGNING_KEY, tempDataDir, type ExitedProcess } from './helpers/processes.js';

describe('CLI with hostile arguments', () => {
  let folder: string;
  let env: NodeJS.ProcessEnv;
  const cli = async (args: string[]): Promise<ExitedProcess> => {
    const output = { stdout: '', stderr: '' };
    const code = await runCli(args, {
      stdout: (line) => (output.stdout += `${line}\n`),
      stderr: (line) => (output.stderr += `${line}\n`),
      stdin: Readable.from([]),
      env,
    });
    return { code, ...output };
  };

  before(async () => {
    folder = tempDataDir();
    env = cleanEnv({ TRUSTED_DEVICES_DATA_DIR: folder, TRUSTED_DEVICES_SIGNING_KEY: PROCESS_SIGNING_KEY });
    assert.equal((await cli(['migrate'])).code, 0);
  });
  after(() => rmSync(folder, { recursive: true, force: true }));

  it('escapes control characters in echoed names', async () => {
    const hostile = 'eve\u001b[2J\u0007\r\n';
    for (const args of [['devices', 'list', hostile], ['devices', 'revoke-all', hostile], ['users', 'deactivate', hostile], ['devices', 'revoke', hostile]]) {
      const result = await cli(args);
      assert.equal(result.code, 1, args.join(' '));
      const controlCharacters = [...result.stderr.slice(0, -1)].filter((character) => character.charCodeAt(0) < 0x20);
      assert.deepEqual(controlCharacters, [], args.join(' '));
      assert.match(result.stderr, /\\u001b\[2J\\u0007\\r\\n/, args.join(' '));
    }
  });

  it('cleanup accepts --days beyond the date range', async () => {
    const dryRun = await cli(['cleanup', '--dry-run', '--days', '99999999999']);
    assert.equal(dryRun.code, 0, dryRun.stderr);
    assert.equal(dryRun.stdout, '0 devices not seen since 1970-01-01T00:00:00.000Z would be removed\n');

    const removed = await cli(['cleanup', '--days', '1e300']);
    assert.equal(removed.code, 0, removed.stderr);
  });
});
