import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { recordedResponses, type RecordedResponse } from './helpers/http-client.js';
import { OpenApiConformance } from './helpers/openapi-conformance.js';
import { ADAPTERS } from './helpers/targets.js';
import { startTestServer, type TestServer } from './helpers/test-server.js';

/** Drives every route through its success and typical error responses, so this file checks something even alone. */
async function tourTheApi(server: TestServer): Promise<void> {
  const { api } = server;
  await server.createUser('tour');
  const first = await server.login('tour');
  const second = await server.login('tour');

  await api.post('/api/token', { body: { username: 'tour', password: 'wrong password' } });
  await api.post('/api/token', { body: { username: 'tour' } });
  await api.post('/api/token', { rawBody: '{"username":', headers: { 'content-type': 'application/json' } });
  await api.post('/api/token', { rawBody: 'username=tour', headers: { 'content-type': 'text/plain' } });
  await api.post('/api/token', { rawBody: 'x'.repeat(20_000), headers: { 'content-type': 'application/json' } });
  await api.post('/api/token/refresh', { body: { refresh: second.refresh } });
  await api.post('/api/token/refresh', { body: { refresh: 'not a token' } });
  await api.post('/api/token/verify', { body: { token: first.access } });
  await api.post('/api/token/verify', { body: { token: second.refresh } });
  await api.get('/trusted-devices', { token: first.access });
  await api.get('/trusted-devices/');
  await api.request('HEAD', '/trusted-devices', { token: first.access });
  await api.patch(`/trusted-devices/${second.device_uid}`, { token: first.access, body: { name: 'Phone' } });
  await api.patch(`/trusted-devices/${second.device_uid}`, { token: first.access, body: { name: 7 } });
  await api.patch(`/trusted-devices/${first.device_uid}`, { token: first.access, body: { name: 'Self' } });
  await api.delete('/trusted-devices/00000000-0000-4000-8000-000000000000', { token: first.access });
  await api.request('OPTIONS', '/api/token');
  await api.get('/api/token/verify');
  await api.delete(`/trusted-devices/${second.device_uid}`, { token: first.access });
  await api.post('/trusted-devices/revoke-all', { token: first.access });
  await api.post('/trusted-devices/logout', { token: first.access });
}

describe('OpenAPI conformance', () => {
  let conformance: OpenApiConformance;
  let server: TestServer;

  before(async () => {
    server = await startTestServer({ deleteDelayMinutes: 0, updateDelayMinutes: 0 });
    const response = await server.api.get('/openapi.json');
    assert.equal(response.status, 200);
    conformance = new OpenApiConformance(response.body);
  });
  after(() => server.close());

  it('tour responses match on every adapter', async () => {
    for (const adapter of ADAPTERS) {
      const tour = await startTestServer({ target: { adapter, database: 'sqlite' }, deleteDelayMinutes: 0, updateDelayMinutes: 0 });
      try {
        await tourTheApi(tour);
      } finally {
        await tour.close();
      }
    }

    const results = recordedResponses.map((record) => conformance.check(record));
    assert.deepEqual(results.flatMap((result) => result.problem ?? []), []);
    const statuses = new Set(recordedResponses.filter((_, index) => results[index]!.checked).map((record) => record.status));
    assert.deepEqual([...statuses].sort(), [200, 204, 400, 401, 403, 404, 405, 413, 415]);
  });

  it('responses of the whole suite match', (t) => {
    const folder = process.env.TD_RESPONSE_LOG_DIR;
    const files = folder !== undefined && existsSync(folder) ? readdirSync(folder).filter((name) => name.endsWith('.jsonl')) : [];
    if (files.length === 0) {
      t.skip('no recorded responses: run through `npm test`, which records them in TD_RESPONSE_LOG_DIR');
      return;
    }

    const records = files.flatMap((name) =>
      readFileSync(join(folder!, name), 'utf8')
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as RecordedResponse),
    );
    const results = records.map((record) => conformance.check(record));
    assert.deepEqual(results.flatMap((result) => result.problem ?? []), []);
    t.diagnostic(`${results.filter((result) => result.checked).length} of ${records.length} recorded responses checked`);
    assert.ok(results.some((result) => result.checked));
  });
});
