import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { MAX_TOKEN_LENGTH } from '../src/tokens/authorization-header.js';
import { targetLabel, testTargets } from './helpers/targets.js';
import { startTestServer, type TestServer } from './helpers/test-server.js';

for (const target of testTargets()) describe(`oversized token (${targetLabel(target)})`, () => {
  let server: TestServer;

  before(async () => {
    server = await startTestServer({ target });
  });
  after(() => server.close());

  it('names the length limit in the detail', async () => {
    const token = `${'a'.repeat(MAX_TOKEN_LENGTH)}.b.c`;
    const response = await server.api.get('/trusted-devices', { token });
    assert.equal(response.status, 401);
    assert.equal(response.body.code, 'token_not_valid');
    assert.match(response.body.detail, new RegExp(`longer than ${MAX_TOKEN_LENGTH} characters`));
    assert.ok(!response.text.includes(token));
  });

  it('accepts a token of exactly the limit as a token', async () => {
    const response = await server.api.get('/trusted-devices', { token: `${'a'.repeat(MAX_TOKEN_LENGTH - 4)}.b.c` });
    assert.equal(response.status, 401);
    assert.equal(response.body.code, 'token_not_valid');
    assert.doesNotMatch(response.body.detail, /longer than/);
  });
});
