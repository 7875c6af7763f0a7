import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';

import { ipapi } from '../../src/geo/ipapi.js';
import { GeoLookupError } from '../../src/geo/lookup-error.js';
import { FakeClock } from '../helpers/clock.js';
import { FakeIpapi, ipapiSuccess } from '../helpers/fake-ipapi.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

const LONDON = '81.2.69.142';
const LINKOPING = '89.160.20.128';
const MILTON = '216.160.83.56';

async function rejectsWith(promise: Promise<unknown>, reason: string): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof GeoLookupError, `expected a GeoLookupError, received ${String(error)}`);
    assert.equal(error.reason, reason);
    return true;
  });
}

describe('ipapi provider', () => {
  let fake: FakeIpapi;

  beforeEach(async () => {
    fake = await new FakeIpapi().start();
  });
  afterEach(() => fake.close());

  it('maps a success answer', async () => {
    fake.answers.set(LONDON, { kind: 'json', body: ipapiSuccess(LONDON, 'United Kingdom', 'England', 'London') });
    const location = await ipapi({ baseUrl: fake.baseUrl })(LONDON);

    assert.deepEqual(location, { country: 'United Kingdom', region: 'England', city: 'London' });
    assert.equal(fake.requests[0]!.path, `/${LONDON}/json/`);
  });

  it('sends a User-Agent and the key', async () => {
    await ipapi({ baseUrl: fake.baseUrl, key: 'test-key' })(LONDON);
    await ipapi({ baseUrl: fake.baseUrl, userAgent: 'my-app/1.0' })(LONDON);

    assert.match(fake.requests[0]!.userAgent ?? '', /^trusted-devices/);
    assert.equal(fake.requests[0]!.search, '?key=test-key');
    assert.equal(fake.requests[1]!.userAgent, 'my-app/1.0');
    assert.equal(fake.requests[1]!.search, '');
  });

  it('keeps a path prefix of the base URL', async () => {
    await ipapi({ baseUrl: `${fake.baseUrl}/proxy/ipapi` })('2001:480::1');
    assert.equal(fake.requests[0]!.path, '/proxy/ipapi/2001:480::1/json/');
  });

  it('answers a reserved address as unknown', async () => {
    fake.answers.set(LONDON, { kind: 'json', body: { ip: LONDON, error: true, reason: 'Reserved IP Address', reserved: true, version: 'IPv4' } });
    assert.deepEqual(await ipapi({ baseUrl: fake.baseUrl })(LONDON), {});
  });

  it('rejects other error answers', async () => {
    fake.answers.set(LONDON, { kind: 'json', body: { ip: LONDON, error: true, reason: 'Invalid IP Address' } });
    await rejectsWith(ipapi({ baseUrl: fake.baseUrl })(LONDON), 'error-response');
  });

  it('backs off after HTTP 429', async () => {
    const clock = new FakeClock();
    const provider = ipapi({ baseUrl: fake.baseUrl, clock: clock.read, backoffMs: 60_000 });
    fake.answers.set(LONDON, { kind: 'json', status: 429, body: { error: true, reason: 'RateLimited', message: 'Too many requests' } });

    await rejectsWith(provider(LONDON), 'rate-limited');
    assert.equal(fake.requests.length, 1);

    fake.answers.set(LONDON, { kind: 'json', body: ipapiSuccess(LONDON, 'United Kingdom', 'England', 'London') });
    clock.advance(59_999);
    await rejectsWith(provider(LONDON), 'backing-off');
    await rejectsWith(provider(LINKOPING), 'backing-off');
    assert.equal(fake.requests.length, 1, 'no request during the back-off');

    clock.advance(1);
    assert.deepEqual(await provider(LONDON), { country: 'United Kingdom', region: 'England', city: 'London' });
    assert.equal(fake.requests.length, 2);
  });

  it('honours Retry-After on HTTP 429', async () => {
    const clock = new FakeClock();
    const provider = ipapi({ baseUrl: fake.baseUrl, clock: clock.read, backoffMs: 600_000 });
    fake.answers.set(LONDON, { kind: 'json', status: 429, body: {}, headers: { 'retry-after': '30' } });

    await rejectsWith(provider(LONDON), 'rate-limited');
    clock.advance(29_000);
    await rejectsWith(provider(LONDON), 'backing-off');
    clock.advance(1_000);
    fake.answers.delete(LONDON);
    assert.deepEqual(await provider(LONDON), {});
    assert.equal(fake.requests.length, 2);
  });

  it('backs off after a RateLimited body', async () => {
    const clock = new FakeClock();
    const provider = ipapi({ baseUrl: fake.baseUrl, clock: clock.read });
    fake.answers.set(LONDON, { kind: 'json', body: { error: true, reason: 'RateLimited' } });

    await rejectsWith(provider(LONDON), 'rate-limited');
    await rejectsWith(provider(LONDON), 'backing-off');
    assert.equal(fake.requests.length, 1);
  });

  it('rejects a 5xx status', async () => {
    fake.answers.set(LONDON, { kind: 'json', status: 500, body: { error: 'internal' } });
    fake.answers.set(LINKOPING, { kind: 'text', status: 503, text: '<html>down</html>' });
    const provider = ipapi({ baseUrl: fake.baseUrl });

    await rejectsWith(provider(LONDON), 'http-status');
    await rejectsWith(provider(LINKOPING), 'http-status');
    assert.equal(fake.requests.length, 2, 'a 5xx does not pause requests');
  });

  it('rejects malformed JSON', async () => {
    fake.answers.set(LONDON, { kind: 'text', text: '{"country_name": "United Kingdom"' });
    fake.answers.set(LINKOPING, { kind: 'text', text: '["Sweden"]' });
    const provider = ipapi({ baseUrl: fake.baseUrl });

    await rejectsWith(provider(LONDON), 'invalid-json');
    await rejectsWith(provider(LINKOPING), 'invalid-json');
  });

  it('times out a slow answer', async () => {
    fake.answers.set(LONDON, { kind: 'hold', body: ipapiSuccess(LONDON, 'United Kingdom', 'England', 'London') });
    await rejectsWith(ipapi({ baseUrl: fake.baseUrl, timeoutMs: 30 })(LONDON), 'timeout');
  });

  it('reports an unreachable server without its URL', async () => {
    const url = fake.baseUrl;
    await fake.close();
    fake = await new FakeIpapi().start();
    await assert.rejects(ipapi({ baseUrl: url, key: 'secret-key' })(LONDON), (error: unknown) => {
      assert.ok(error instanceof GeoLookupError);
      assert.equal(error.reason, 'http-status');
      assert.doesNotMatch(error.message, /secret-key/);
      return true;
    });
  });

  it('rejects bad options at creation', () => {
    assert.throws(() => ipapi({ baseUrl: 'ipapi.co' }), /baseUrl/);
    assert.throws(() => ipapi({ baseUrl: 'ftp://ipapi.co' }), /baseUrl/);
    assert.throws(() => ipapi({ timeoutMs: 0 }), /timeoutMs/);
    assert.throws(() => ipapi({ key: '' }), /key/);
  });
});

describe('login with ipapi', () => {
  let fake: FakeIpapi;
  let server: TestServer;

  before(async () => {
    fake = await new FakeIpapi().start();
    fake.answers.set(LONDON, { kind: 'json', body: ipapiSuccess(LONDON, 'United Kingdom', 'England', 'London') });
    fake.answers.set(MILTON, { kind: 'json', body: ipapiSuccess(MILTON, 'United States', 'Washington', 'Milton') });
    server = await startTestServer({
      geolocation: ipapi({ baseUrl: fake.baseUrl, timeoutMs: 5000 }),
      geolocationTimeoutMs: 50,
      trustProxy: true,
    });
  });
  after(async () => {
    fake.releaseHeld();
    await server.close();
    await fake.close();
  });

  function client(ip: string) {
    return { ip, userAgent: 'Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0' };
  }

  async function deviceOf(username: string, ip: string) {
    const pair = await server.login(username, { 'x-forwarded-for': ip });
    // The same address as the login, so hijack detection sees one client.
    const listed = await server.api.get('/trusted-devices', { token: pair.access, headers: { 'x-forwarded-for': ip } });
    assert.equal(listed.status, 200, listed.text);
    return listed.body.find((device: { device_uid: string }) => device.device_uid === pair.device_uid);
  }

  it('fills in the device from a quick answer', async () => {
    await server.createUser('quick');
    const device = await deviceOf('quick', LONDON);

    assert.equal(device.country, 'United Kingdom');
    assert.equal(device.region, 'England');
    assert.equal(device.city, 'London');
  });

  it('answers without waiting for a slow lookup', async () => {
    await server.createUser('slow');
    fake.answers.set('89.160.20.1', { kind: 'hold', body: ipapiSuccess('89.160.20.1', 'Sweden', 'Östergötland County', 'Linköping') });

    const result = await server.td.login('slow', 'correct horse battery', client('89.160.20.1'));
    assert.equal(result.locationLookup, 'pending');
    assert.equal(result.device.country, '');
    const stored = await server.td.store.findDevice(result.deviceUid);
    assert.equal(stored?.country, '');

    fake.releaseHeld();
    await server.td.settleBackgroundTasks();
    const located = await server.td.store.findDevice(result.deviceUid);
    assert.equal(located?.country, 'Sweden');
    assert.equal(located?.region, 'Östergötland County');
    assert.equal(located?.city, 'Linköping');
    const history = await server.td.listSignIns(result.device.userId);
    assert.equal(history.signIns[0]?.country, 'Sweden');
  });

  it('records each lookup outcome', async () => {
    await server.createUser('outcomes');
    fake.answers.set('89.160.20.2', { kind: 'json', status: 500, body: {} });

    const located = await server.td.login('outcomes', 'correct horse battery', client(LONDON));
    const failed = await server.td.login('outcomes', 'correct horse battery', client('89.160.20.2'));
    const reserved = await server.td.login('outcomes', 'correct horse battery', client('89.160.20.3'));
    const privateAddress = await server.td.login('outcomes', 'correct horse battery', client('10.0.0.8'));

    assert.ok(['located', 'cached'].includes(located.locationLookup), located.locationLookup);
    assert.equal(located.device.country, 'United Kingdom');
    assert.equal(failed.locationLookup, 'failed');
    assert.equal(failed.device.country, '');
    assert.equal(reserved.locationLookup, 'unknown');
    assert.equal(privateAddress.locationLookup, 'not-locatable');
    assert.ok(!fake.requests.some((request) => request.path.includes('10.0.0.8')));
  });

  it('emits suspiciousLogin for a new country only', async () => {
    await server.createUser('traveller');
    const before = server.events.suspiciousLogin.length;

    await deviceOf('traveller', LONDON);
    await deviceOf('traveller', LONDON);
    assert.equal(server.events.suspiciousLogin.length, before, 'not for the first sign-in nor a known country');

    fake.answers.set('89.160.20.4', { kind: 'hold', body: ipapiSuccess('89.160.20.4', 'Sweden', 'Östergötland County', 'Linköping') });
    const result = await server.td.login('traveller', 'correct horse battery', client('89.160.20.4'));
    assert.equal(result.locationLookup, 'pending');
    assert.equal(server.events.suspiciousLogin.length, before, 'not before the country is known');

    fake.releaseHeld();
    await server.td.settleBackgroundTasks();
    assert.equal(server.events.suspiciousLogin.length, before + 1);
    const event = server.events.suspiciousLogin.at(-1)!;
    assert.equal(event.country, 'Sweden');
    assert.deepEqual(event.knownCountries, ['United Kingdom']);
    assert.equal(event.device.deviceUid, result.deviceUid);
    assert.equal(event.device.city, 'Linköping');
  });

  it('remembers countries of signed-out devices', async () => {
    const userId = await server.createUser('forgetful');
    const before = server.events.suspiciousLogin.length;

    await deviceOf('forgetful', LONDON);
    assert.equal(await server.td.revokeAllDevices(userId), 1);
    await deviceOf('forgetful', MILTON);

    assert.equal(server.events.suspiciousLogin.length, before + 1);
    assert.equal(server.events.suspiciousLogin.at(-1)!.country, 'United States');
    assert.deepEqual(server.events.suspiciousLogin.at(-1)!.knownCountries, ['United Kingdom']);
  });
});
