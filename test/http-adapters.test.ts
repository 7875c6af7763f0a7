import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';

import { StoreUnavailableError, TrustedDevicesError } from '../src/errors.js';
import { createTrustedDevices } from '../src/trusted-devices.js';
import { ApiClient } from './helpers/http-client.js';
import { targetLabel, testTargets } from './helpers/targets.js';
import { listenApp } from './helpers/test-app.js';
import { startTestServer, TEST_PASSWORD, type TestServer } from './helpers/test-server.js';

const LIMIT = 16 * 1024;

for (const target of testTargets()) describe(`HTTP behaviour (${targetLabel(target)})`, () => {
  let server: TestServer;
  let pair: { access: string; refresh: string; device_uid: string };

  before(async () => {
    server = await startTestServer({ target });
    await server.createUser('alice');
    pair = await server.login('alice');
  });
  after(() => server.close());

  it('paths match with and without a trailing slash', async () => {
    const login = await server.api.post('/api/token/', { body: { username: 'alice', password: TEST_PASSWORD } });
    assert.equal(login.status, 200);
    const list = await server.api.get('/trusted-devices/', { token: login.body.access });
    assert.equal(list.status, 200);
    assert.equal(list.body.length, 2);
    const deleted = await server.api.delete(`/trusted-devices/${login.body.device_uid}/`, { token: login.body.access });
    assert.equal(deleted.status, 403);
    assert.equal(deleted.body.code, 'device_self_modification');
  });

  it('another method is 405 with Allow', async () => {
    const cases: [string, string, string][] = [
      ['GET', '/api/token', 'POST'],
      ['PUT', '/api/token/refresh/', 'POST'],
      ['DELETE', '/trusted-devices', 'GET'],
      ['OPTIONS', '/trusted-devices/logout', 'POST'],
      ['GET', '/trusted-devices/revoke-all/', 'POST'],
      ['POST', `/trusted-devices/${pair.device_uid}`, 'PATCH, PUT, DELETE'],
    ];
    for (const [method, path, allow] of cases) {
      const response = await server.api.request(method, path, { token: pair.access });
      assert.equal(response.status, 405, `${method} ${path}`);
      assert.equal(response.headers.get('allow'), allow, `${method} ${path}`);
      assert.deepEqual(response.body, { detail: `Method not allowed. Use ${allow}.`, code: 'method_not_allowed' });
    }
  });

  it('HEAD follows GET and is 405 elsewhere', async () => {
    const list = await server.api.request('HEAD', '/trusted-devices', { token: pair.access });
    assert.equal(list.status, 200);
    assert.equal(list.text, '');
    assert.equal(list.headers.get('content-type'), 'application/json; charset=utf-8');

    const login = await server.api.request('HEAD', '/api/token');
    assert.equal(login.status, 405);
    assert.equal(login.headers.get('allow'), 'POST');
    assert.equal(login.text, '');
  });

  it('body at the limit is read, one byte more is 413', async () => {
    const atLimit = `"${'x'.repeat(LIMIT - 2)}"`;
    const read = await server.api.post('/api/token', { rawBody: atLimit, headers: { 'content-type': 'application/json' } });
    assert.equal(read.status, 400);
    assert.equal(read.body.code, 'invalid');
    assert.deepEqual(read.body.fields, { non_field_errors: ['Expected a JSON object.'] });

    const over = await server.api.post('/api/token', { rawBody: `${atLimit} `, headers: { 'content-type': 'application/json' } });
    assert.equal(over.status, 413);
    assert.deepEqual(over.body, { detail: `The request body is larger than ${LIMIT} bytes. Send a smaller body.`, code: 'payload_too_large' });
    assert.equal(over.headers.get('connection'), 'close');
  });

  it('chunked body over the limit is 413', async () => {
    const chunk = new TextEncoder().encode('x'.repeat(4096));
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        // Ends after twice the limit, so a server that waits for the whole body still responds.
        if (sent >= 2 * LIMIT) controller.close();
        else controller.enqueue(chunk);
        sent += chunk.length;
      },
    });
    const response = await fetch(`${server.api.baseUrl}/api/token`, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json' },
      duplex: 'half',
    });
    assert.equal(response.status, 413);
    assert.equal(((await response.json()) as { code: string }).code, 'payload_too_large');
  });

  it('route without a body ignores one', async () => {
    const other = await server.login('alice');
    const response = await server.api.post('/trusted-devices/logout', {
      token: other.access,
      rawBody: 'x'.repeat(2 * LIMIT),
      headers: { 'content-type': 'text/plain' },
    });
    assert.equal(response.status, 204);
    assert.equal(response.text, '');
  });

  it('malformed JSON is invalid', async () => {
    const response = await server.api.post('/api/token', { rawBody: '{"username": "alice",', headers: { 'content-type': 'application/json' } });
    assert.equal(response.status, 400);
    assert.deepEqual(response.body, { detail: 'The request body is not valid JSON.', code: 'invalid' });
  });

  it('other media types are 415', async () => {
    for (const contentType of ['text/plain', 'garbage;;', 'multipart/form-data; boundary=x']) {
      const response = await server.api.post('/api/token', { rawBody: '{}', headers: { 'content-type': contentType } });
      assert.equal(response.status, 415, contentType);
      assert.equal(response.body.code, 'unsupported_media_type', contentType);
    }
  });

  it('JSON with a +json, empty or missing media type is read', async () => {
    const body = JSON.stringify({ username: 'alice', password: TEST_PASSWORD });
    for (const headers of [{ 'content-type': 'application/vnd.api+json' }, { 'content-type': '' }, {}] as Record<string, string>[]) {
      const response = await server.api.post('/api/token', { rawBody: Buffer.from(body), headers });
      assert.equal(response.status, 200, JSON.stringify(headers));
    }
  });

  it('form body logs in', async () => {
    const response = await server.api.post('/api/token', {
      rawBody: `username=alice&password=${encodeURIComponent(TEST_PASSWORD)}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    assert.equal(response.status, 200);
  });

  it('empty body lists the missing fields', async () => {
    const response = await server.api.post('/api/token', { headers: { 'content-type': 'application/json' } });
    assert.equal(response.status, 400);
    assert.deepEqual(response.body.fields, { username: ['This field is required.'], password: ['This field is required.'] });
  });

  it('wrong types are invalid with field messages', async () => {
    const response = await server.api.patch(`/trusted-devices/${pair.device_uid}`, { token: pair.access, body: { name: 5, can_delete_other_devices: 'yes' } });
    assert.equal(response.status, 400);
    assert.deepEqual(response.body.fields, { name: ['Expected a string.'], can_delete_other_devices: ['Expected a boolean.'] });
  });

  it('authentication comes before body validation', async () => {
    const response = await server.api.patch(`/trusted-devices/${pair.device_uid}`, { rawBody: '{', headers: { 'content-type': 'application/json' } });
    assert.equal(response.status, 401);
    assert.equal(response.body.code, 'not_authenticated');
  });

  it('every 401 carries WWW-Authenticate', async () => {
    const responses = [
      await server.api.get('/trusted-devices'),
      await server.api.get('/trusted-devices', { headers: { authorization: 'Bearer not.a.token' } }),
      await server.api.get('/api/me'),
      await server.api.post('/api/token', { body: { username: 'alice', password: 'wrong password' } }),
    ];
    for (const response of responses) {
      assert.equal(response.status, 401);
      assert.equal(response.headers.get('www-authenticate'), 'Bearer realm="api"');
      assert.equal(response.headers.get('content-type'), 'application/json; charset=utf-8');
    }
  });

  it('host route behind the guard sees the device', async () => {
    const response = await server.api.get('/api/me/', { token: pair.access });
    assert.equal(response.status, 200);
    assert.equal(response.body.device_uid, pair.device_uid);
    assert.equal(typeof response.body.user_id, 'string');
  });

  it('unknown path is a JSON 404', async () => {
    for (const path of ['/nothing', '/api/tokens', '/trusted-devices/a/b']) {
      const response = await server.api.get(path);
      assert.equal(response.status, 404, path);
      assert.deepEqual(response.body, { detail: 'Not found.', code: 'not_found' }, path);
    }
  });

  it('health check answers', async () => {
    const response = await server.api.get('/health');
    assert.equal(response.status, 200);
    assert.deepEqual(response.body, { status: 'ok' });
  });

  it('bad percent-encoding in a path is invalid', async () => {
    const before = await server.snapshot();
    for (const method of ['DELETE', 'PATCH', 'GET']) {
      const response = await server.api.request(method, '/trusted-devices/%E0%A4%A', { token: pair.access, body: method === 'GET' ? undefined : {} });
      assert.equal(response.status, 400, method);
      assert.deepEqual(response.body, { detail: 'The request path is not valid percent-encoding.', code: 'invalid' }, method);
    }
    assert.deepEqual(await server.snapshot(), before);
  });

  it('client IP comes from the socket unless proxies are trusted', async () => {
    const login = await server.api.post('/api/token', {
      body: { username: 'alice', password: TEST_PASSWORD },
      headers: { 'x-forwarded-for': '203.0.113.9' },
    });
    const devices = await server.api.get('/trusted-devices', { token: login.body.access });
    const device = devices.body.find((entry: { device_uid: string }) => entry.device_uid === login.body.device_uid);
    assert.equal(device.ip_address, '127.0.0.1');
  });
});

for (const target of testTargets()) describe(`client IP behind a proxy (${targetLabel(target)})`, () => {
  let server: TestServer;

  before(async () => {
    server = await startTestServer({ target, trustProxy: true, trustedProxyDepth: 2 });
    await server.createUser('alice');
  });
  after(() => server.close());

  it('takes the entry the outermost trusted proxy saw', async () => {
    const cases: [string | undefined, string][] = [
      ['198.51.100.1, 203.0.113.9, 10.0.0.2', '203.0.113.9'],
      ['203.0.113.7, 10.0.0.2', '203.0.113.7'],
      ['10.0.0.2', '127.0.0.1'],
      ['not-an-ip, 10.0.0.2', '127.0.0.1'],
      [undefined, '127.0.0.1'],
    ];
    for (const [forwardedFor, expected] of cases) {
      const headers: Record<string, string> = forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor };
      const login = await server.login('alice', headers);
      const devices = await server.api.get('/trusted-devices', { token: login.access, headers });
      const device = devices.body.find((entry: { device_uid: string }) => entry.device_uid === login.device_uid);
      assert.equal(device.ip_address, expected, String(forwardedFor));
      assert.equal(device.last_ip, expected, String(forwardedFor));
    }
  });
});

for (const target of testTargets()) describe(`errors from a host user adapter (${targetLabel(target)})`, () => {
  let api: ApiClient;
  let close: () => Promise<void>;

  before(async () => {
    const td = await createTrustedDevices({
      signingKey: randomBytes(32).toString('hex'),
      database: ':memory:',
      users: {
        verifyCredentials(username) {
          if (username === 'down') return Promise.reject(new StoreUnavailableError(new Error('connection refused')));
          return Promise.reject(new TrustedDevicesError('throttled', 'Too many sign-in attempts. Try again in 30 seconds.', { headers: { 'retry-after': '30' } }));
        },
        findById: () => Promise.resolve(null),
      },
    });
    const app = await listenApp(target.adapter, td);
    api = new ApiClient(app.baseUrl);
    close = async () => {
      await app.close();
      await td.close();
    };
  });
  after(() => close());

  it('throttled is 429 with Retry-After', async () => {
    const response = await api.post('/api/token', { body: { username: 'alice', password: 'any password' } });
    assert.equal(response.status, 429);
    assert.equal(response.headers.get('retry-after'), '30');
    assert.deepEqual(response.body, { detail: 'Too many sign-in attempts. Try again in 30 seconds.', code: 'throttled' });
  });

  it('unreachable store is 503', async () => {
    const response = await api.post('/api/token', { body: { username: 'down', password: 'any password' } });
    assert.equal(response.status, 503);
    assert.equal(response.body.code, 'service_unavailable');
  });
});
