import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { geolocationFromEnv } from '../src/server/geolocation-setting.js';
import { targetLabel, testTargets } from './helpers/targets.js';
import { startTestServer, TEST_PASSWORD, type TestServer } from './helpers/test-server.js';
import { RecordingLogger } from './helpers/recording-logger.js';

const DAY_MS = 24 * 60 * 60 * 1000;

for (const target of testTargets()) describe(`sign-in history (${targetLabel(target)})`, () => {
  let server: TestServer;

  before(async () => {
    server = await startTestServer({
      target,
      signInHistoryDays: 30,
      // A fixed location for one address, so history entries carry a location.
      geolocation: (ip) => Promise.resolve(ip === '81.2.69.142' ? { country: 'United Kingdom', city: 'London' } : null),
      trustProxy: true,
    });
  });
  after(() => server.close());

  async function history(token: string, query = '') {
    return server.api.get(`/trusted-devices/history${query}`, { token });
  }

  it('lists sign-ins newest first', async () => {
    await server.createUser('alice');
    const first = await server.login('alice', { 'user-agent': 'first-agent', 'x-forwarded-for': '81.2.69.142' });
    server.clock.advance(1000);
    const second = await server.login('alice', { 'user-agent': 'second-agent' });

    const response = await history(second.access);
    assert.equal(response.status, 200);
    assert.equal(response.body.next_cursor, null);
    assert.equal(response.body.results.length, 2);
    const [newest, oldest] = response.body.results;
    assert.equal(newest.device_uid, second.device_uid);
    assert.equal(newest.is_current_device, true);
    assert.equal(newest.outcome, 'success');
    assert.equal(newest.user_agent, 'second-agent');
    assert.equal(newest.ip_address, '127.0.0.1');
    assert.equal(newest.country, '');
    assert.equal(oldest.device_uid, first.device_uid);
    assert.equal(oldest.is_current_device, false);
    assert.equal(oldest.ip_address, '81.2.69.142');
    assert.equal(oldest.country, 'United Kingdom');
    assert.equal(oldest.city, 'London');
    assert.equal(oldest.signed_in_at, new Date(server.clock.now - 1000).toISOString());
    assert.deepEqual(Object.keys(newest).sort(), [
      'city', 'country', 'device_uid', 'ip_address', 'is_current_device', 'outcome', 'region', 'signed_in_at', 'user_agent',
    ]);
  });

  it('pages with a cursor', async () => {
    await server.createUser('pager');
    const uids: string[] = [];
    for (let i = 0; i < 5; i++) {
      uids.push((await server.login('pager')).device_uid);
      // Two sign-ins share each millisecond, so the cursor must order by id too.
      if (i % 2 === 1) server.clock.advance(1);
    }
    const token = (await server.login('pager')).access;
    uids.push('current');

    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = cursor === null ? '?limit=2' : `?limit=2&cursor=${cursor}`;
      const response = await history(token, query);
      assert.equal(response.status, 200, response.text);
      assert.ok(response.body.results.length <= 2);
      seen.push(...response.body.results.map((entry: { device_uid: string }) => entry.device_uid));
      cursor = response.body.next_cursor;
      pages++;
    } while (cursor !== null);

    assert.equal(pages, 3);
    assert.equal(seen.length, 6);
    assert.equal(new Set(seen).size, 6, 'no entry twice');
    for (const uid of uids.slice(0, 5)) assert.ok(seen.includes(uid), uid);
  });

  it('rejects bad query parameters', async () => {
    await server.createUser('strict');
    const token = (await server.login('strict')).access;

    for (const [query, field] of [
      ['?limit=0', 'limit'],
      ['?limit=101', 'limit'],
      ['?limit=abc', 'limit'],
      ['?limit=-1', 'limit'],
      ['?limit=1.5', 'limit'],
      ['?limit=', 'limit'],
      ['?limit=1&limit=2', 'limit'],
      ['?cursor=not-a-cursor', 'cursor'],
      ['?cursor=' + Buffer.from('123.not-a-uuid').toString('base64url'), 'cursor'],
      ['?cursor=' + 'A'.repeat(300), 'cursor'],
      ['?cursor=a&cursor=b', 'cursor'],
    ] as const) {
      const response = await history(token, query);
      assert.equal(response.status, 400, query);
      assert.equal(response.body.code, 'invalid', query);
      assert.ok(Array.isArray(response.body.fields[field]), `${query}: ${response.text}`);
    }
    assert.equal((await history(token, '?limit=100&unknown=1')).status, 200);
  });

  it('requires authentication', async () => {
    const response = await server.api.get('/trusted-devices/history');
    assert.equal(response.status, 401);
    assert.equal(response.body.code, 'not_authenticated');
    assert.equal((await server.api.post('/trusted-devices/history')).status, 405);
  });

  it('shows only the user’s own sign-ins', async () => {
    await server.createUser('carol');
    await server.createUser('dave');
    await server.login('carol');
    const dave = await server.login('dave');

    const response = await history(dave.access);
    assert.equal(response.body.results.length, 1);
    assert.equal(response.body.results[0].device_uid, dave.device_uid);
  });

  it('records rejected sign-ins', async () => {
    await server.createUser('erin');
    const wrong = await server.api.post('/api/token', {
      body: { username: 'erin', password: 'wrong password' },
      headers: { 'x-forwarded-for': '81.2.69.142', 'user-agent': 'attacker' },
    });
    assert.equal(wrong.status, 401);
    await server.td.settleBackgroundTasks();
    server.clock.advance(1);
    const erin = await server.login('erin');

    const entries = (await history(erin.access)).body.results;
    assert.equal(entries.length, 2);
    assert.equal(entries[1].outcome, 'failed-credentials');
    assert.equal(entries[1].device_uid, null);
    assert.equal(entries[1].user_agent, 'attacker');
    assert.equal(entries[1].country, 'United Kingdom');
  });

  it('records an inactive account and ignores unknown users', async () => {
    const frankId = await server.createUser('frank');
    await server.users.setActive('frank', false);
    assert.equal((await server.api.post('/api/token', { body: { username: 'frank', password: TEST_PASSWORD } })).status, 401);
    assert.equal((await server.api.post('/api/token', { body: { username: 'nobody', password: TEST_PASSWORD } })).status, 401);
    await server.td.settleBackgroundTasks();

    const page = await server.td.listSignIns(frankId);
    assert.equal(page.signIns.length, 1);
    assert.equal(page.signIns[0]!.outcome, 'inactive-account');
  });

  it('outlives signed-out devices', async () => {
    const userId = await server.createUser('grace');
    await server.login('grace');
    await server.td.revokeAllDevices(userId);

    assert.equal((await server.td.listSignIns(userId)).signIns.length, 1);
    assert.equal(await server.td.deleteSignInHistory(userId), 1);
    assert.equal((await server.td.listSignIns(userId)).signIns.length, 0);
  });

  it('drops entries past the retention', async () => {
    const userId = await server.createUser('heidi');
    await server.login('heidi');
    server.clock.advance(31 * DAY_MS);
    await server.login('heidi');
    assert.equal((await server.td.listSignIns(userId)).signIns.length, 1, 'pruned at the next sign-in');

    await server.createUser('ivan');
    const ivanId = (await server.users.findByUsername('ivan'))!.id;
    await server.login('ivan');
    server.clock.advance(31 * DAY_MS);
    const result = await server.td.cleanupStaleDevices();
    assert.ok(result.signInsRemoved >= 1);
    assert.equal((await server.td.listSignIns(ivanId)).signIns.length, 0, 'pruned by cleanup');
  });

  it('validates the page request of hosts', async () => {
    const userId = await server.createUser('judy');
    await assert.rejects(server.td.listSignIns(userId, { limit: 0 }), { code: 'invalid' });
    await assert.rejects(server.td.listSignIns(userId, { cursor: '' }), { code: 'invalid' });
  });
});

describe('TRUSTED_DEVICES_GEOLOCATION', () => {
  const logger = new RecordingLogger();

  it('defaults to none', () => {
    assert.equal(geolocationFromEnv({}, logger), false);
    assert.equal(geolocationFromEnv({ TRUSTED_DEVICES_GEOLOCATION: 'none' }, logger), false);
  });

  it('selects ipapi', () => {
    const provider = geolocationFromEnv({ TRUSTED_DEVICES_GEOLOCATION: 'ipapi' }, logger);
    assert.equal(typeof provider, 'function');
    assert.equal((provider as { name: string }).name, 'ipapi');
  });

  it('rejects unknown values and missing files', () => {
    assert.throws(() => geolocationFromEnv({ TRUSTED_DEVICES_GEOLOCATION: 'maxmind' }, logger), /TRUSTED_DEVICES_GEOLOCATION="maxmind": expected none, ipapi, or mmdb:/);
    assert.throws(() => geolocationFromEnv({ TRUSTED_DEVICES_GEOLOCATION: 'mmdb:' }, logger), /TRUSTED_DEVICES_GEOLOCATION/);
    assert.throws(() => geolocationFromEnv({ TRUSTED_DEVICES_GEOLOCATION: 'mmdb:./no-such-file.mmdb' }, logger), TypeError);
  });
});
