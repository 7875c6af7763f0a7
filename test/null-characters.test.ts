import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { targetLabel, testTargets } from './helpers/targets.js';
import { startTestServer, TEST_PASSWORD, type TestServer } from './helpers/test-server.js';

// PostgreSQL text cannot store U+0000, so the API rejects it in device names and login credentials.
for (const target of testTargets()) describe(`null characters (${targetLabel(target)})`, () => {
  let server: TestServer;
  let acting: { access: string; device_uid: string };
  let other: { device_uid: string };

  before(async () => {
    server = await startTestServer({ target, updateDelayMinutes: 0 });
    await server.createUser('alice');
    acting = await server.login('alice');
    other = await server.login('alice');
  });
  after(() => server.close());

  it('are rejected in a device name', async () => {
    const before = await server.snapshot();
    const response = await server.api.patch(`/trusted-devices/${other.device_uid}`, { token: acting.access, body: { name: 'laptop\u0000' } });
    assert.equal(response.status, 400);
    assert.equal(response.body.code, 'invalid');
    assert.deepEqual(response.body.fields, { name: ['Null characters are not allowed.'] });
    assert.deepEqual(await server.snapshot(), before);
  });

  it('are rejected in login credentials', async () => {
    const before = await server.snapshot();
    for (const body of [{ username: 'alice\u0000', password: TEST_PASSWORD }, { username: 'alice', password: `${TEST_PASSWORD}\u0000` }]) {
      const response = await server.api.post('/api/token', { body });
      assert.equal(response.status, 400);
      assert.equal(response.body.code, 'invalid');
      assert.deepEqual(Object.values(response.body.fields), [['Null characters are not allowed.']]);
    }
    assert.deepEqual(await server.snapshot(), before);
  });

  it('are rejected in a form body', async () => {
    const response = await server.api.post('/api/token', {
      rawBody: `username=alice%00&password=${encodeURIComponent(TEST_PASSWORD)}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    assert.equal(response.status, 400);
    assert.deepEqual(response.body.fields, { username: ['Null characters are not allowed.'] });
  });
});
