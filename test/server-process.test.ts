import assert from 'node:assert/strict';
import { readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';

import { ApiClient } from './helpers/http-client.js';
import { cleanEnv, PROCESS_SIGNING_KEY, runCliProcess, startServerProcess, tempDataDir } from './helpers/processes.js';

const DEMO_PASSWORD = 'demo-password';

describe('standalone server process', () => {
  const folders: string[] = [];
  const dataDir = () => {
    const folder = tempDataDir();
    folders.push(folder);
    return folder;
  };
  after(() => {
    for (const folder of folders) rmSync(folder, { recursive: true, force: true });
  });

  it('refuses to start without a signing key', async () => {
    const env = cleanEnv({ TRUSTED_DEVICES_DATA_DIR: dataDir() });
    await assert.rejects(startServerProcess(env), (error: Error) => {
      assert.match(error.message, /exited with 1/);
      assert.match(error.message, /TRUSTED_DEVICES_SIGNING_KEY/);
      assert.match(error.message, /--demo/);
      return true;
    });
  });

  it('refuses a short signing key without echoing it', async () => {
    const env = cleanEnv({ TRUSTED_DEVICES_DATA_DIR: dataDir(), TRUSTED_DEVICES_SIGNING_KEY: 'tooshortkey' });
    await assert.rejects(startServerProcess(env), (error: Error) => {
      assert.match(error.message, /exited with 1/);
      assert.match(error.message, /signingKey/);
      assert.ok(!error.message.includes('tooshortkey'));
      return true;
    });
  });

  it('refuses an unknown framework', async () => {
    const env = cleanEnv({ TRUSTED_DEVICES_DATA_DIR: dataDir(), TRUSTED_DEVICES_SIGNING_KEY: PROCESS_SIGNING_KEY, TRUSTED_DEVICES_FRAMEWORK: 'koa' });
    await assert.rejects(startServerProcess(env), (error: Error) => {
      assert.match(error.message, /invalid framework: use one of express, fastify, hono/);
      return true;
    });
  });

  it('refuses a bad option variable with its name', async () => {
    const env = cleanEnv({
      TRUSTED_DEVICES_DATA_DIR: dataDir(),
      TRUSTED_DEVICES_SIGNING_KEY: PROCESS_SIGNING_KEY,
      TRUSTED_DEVICES_DELETE_DELAY_MINUTES: 'soon',
    });
    await assert.rejects(startServerProcess(env), (error: Error) => {
      assert.match(error.message, /TRUSTED_DEVICES_DELETE_DELAY_MINUTES/);
      assert.match(error.message, /soon/);
      assert.match(error.message, /expected a whole number/);
      return true;
    });
  });

  it('demo mode keeps its key across restarts and logs in the demo user', async () => {
    const folder = dataDir();
    const env = cleanEnv({ TRUSTED_DEVICES_DATA_DIR: folder });
    const first = await startServerProcess(env, ['--demo']);
    const keyPath = join(folder, 'demo-signing-key');
    assert.equal(statSync(keyPath).mode & 0o777, 0o600);
    const key = readFileSync(keyPath, 'utf8').trim();
    assert.ok(key.length >= 43);

    const login = await new ApiClient(first.baseUrl).post('/api/token', { body: { username: 'demo', password: DEMO_PASSWORD } });
    assert.equal(login.status, 200);
    assert.equal((await first.stop()).code, 0);

    // The restart also switches framework: tokens do not depend on it.
    const second = await startServerProcess({ ...env, TRUSTED_DEVICES_FRAMEWORK: 'hono' }, ['--demo', '--framework', 'fastify']);
    assert.equal(second.logLines().find((line) => line.msg === 'server started')?.framework, 'fastify');
    assert.equal(readFileSync(keyPath, 'utf8').trim(), key);
    const listed = await new ApiClient(second.baseUrl).get('/trusted-devices', { token: login.body.access });
    assert.equal(listed.status, 200);
    assert.equal(listed.body.length, 1);
    assert.equal((await second.stop()).code, 0);
    assert.ok(!first.output.stdout.includes(key));
    assert.ok(!second.output.stdout.includes(key));
  });

  it('serves the API, logs rejected logins and never a secret, stops on SIGTERM', async () => {
    const folder = dataDir();
    const env = cleanEnv({ TRUSTED_DEVICES_DATA_DIR: folder, TRUSTED_DEVICES_SIGNING_KEY: PROCESS_SIGNING_KEY, TRUSTED_DEVICES_DELETE_DELAY_MINUTES: '0' });
    const password = 'process-test-password';
    const created = await runCliProcess(['users', 'create', 'erin'], env, `${password}\n`);
    assert.equal(created.code, 0, created.stderr);

    const server = await startServerProcess(env);
    const api = new ApiClient(server.baseUrl);
    const wrong = await api.post('/api/token', { body: { username: 'erin', password: 'wrong-password-here' } });
    assert.equal(wrong.body.code, 'no_active_account');
    const invalid = await api.post('/api/token', { body: { username: 'erin' } });
    assert.equal(invalid.body.code, 'invalid');
    const tooLarge = await api.post('/api/token', { body: { username: 'erin', password, padding: 'p'.repeat(20_000) } });
    assert.equal(tooLarge.body.code, 'payload_too_large');
    const first = await api.post('/api/token', { body: { username: 'erin', password } });
    const second = await api.post('/api/token', { body: { username: 'erin', password } });
    assert.equal(first.status, 200);
    const refreshed = await api.post('/api/token/refresh', { body: { refresh: first.body.refresh } });
    assert.equal(refreshed.status, 200);
    assert.equal((await api.post('/api/token/verify', { body: { token: second.body.access } })).status, 200);
    assert.equal((await api.get('/trusted-devices', { token: `${first.body.access}x` })).status, 401);
    assert.equal((await api.delete(`/trusted-devices/${second.body.device_uid}`, { token: refreshed.body.access })).status, 204);
    assert.equal((await api.get('/health')).status, 200);

    const stopped = await server.stop();
    assert.equal(stopped.code, 0);
    const lines = server.logLines();
    assert.equal(lines.at(-1)!.msg, 'server stopped');
    const rejected = lines.filter((line) => line.msg === 'login rejected').map((line) => line.code);
    assert.deepEqual(rejected, ['no_active_account', 'invalid', 'payload_too_large']);

    const secrets = [
      password,
      'wrong-password-here',
      PROCESS_SIGNING_KEY,
      first.body.access,
      first.body.refresh,
      second.body.access,
      second.body.refresh,
      refreshed.body.access,
      refreshed.body.refresh,
    ];
    const everything = stopped.stdout + stopped.stderr;
    for (const secret of secrets) {
      assert.ok(!everything.includes(secret), `a secret of ${secret.length} characters is in the output`);
      // A token's signature alone is a secret too.
      const signature = secret.split('.')[2];
      if (signature !== undefined) assert.ok(!everything.includes(signature), 'a token signature is in the output');
    }
  });
});
