import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { normalizeIp, resolveClientIp } from '../src/net/client-ip.js';
import { targetLabel, testTargets } from './helpers/targets.js';
import { startTestServer, type TestServer } from './helpers/test-server.js';

describe('normalizeIp', () => {
  const cases: [string, string | undefined][] = [
    ['203.0.113.5', '203.0.113.5'],
    ['0.0.0.0', '0.0.0.0'],
    ['255.255.255.255', '255.255.255.255'],
    ['10.9.99.199', '10.9.99.199'],
    ['::ffff:203.0.113.5', '203.0.113.5'],
    ['::FFFF:203.0.113.5', '203.0.113.5'],
    ['::ffff:cb00:7105', '203.0.113.5'],
    ['2001:DB8:0:0:0:0:0:1', '2001:db8::1'],
    ['2001:db8::1', '2001:db8::1'],
    ['::1', '::1'],
    ['', undefined],
    ['unknown', undefined],
    ['203.0.113.5:443', undefined],
    ['[2001:db8::1]', undefined],
    // Shorthand, octal and hexadecimal IPv4 forms are not what a proxy writes.
    ['1', undefined],
    ['127.1', undefined],
    ['2130706433', undefined],
    ['010.0.0.1', undefined],
    ['0x7f.0.0.1', undefined],
    ['256.0.0.1', undefined],
    ['1.2.3.4.5', undefined],
    ['1.2.3.4\n', undefined],
    [' 1.2.3.4', undefined],
  ];
  for (const [input, expected] of cases) {
    it(`${JSON.stringify(input)} is ${String(expected)}`, () => {
      assert.equal(normalizeIp(input), expected);
    });
  }
});

describe('resolveClientIp', () => {
  const socket = '::ffff:198.51.100.7';
  const peer = '198.51.100.7';
  const cases: { name: string; forwardedFor: string | undefined; trustProxy: boolean; depth: number; expected: string }[] = [
    { name: 'socket without trustProxy', forwardedFor: '203.0.113.5', trustProxy: false, depth: 1, expected: peer },
    { name: 'socket when header missing', forwardedFor: undefined, trustProxy: true, depth: 1, expected: peer },
    { name: 'socket when header empty', forwardedFor: '', trustProxy: true, depth: 1, expected: peer },
    { name: 'only entry at depth 1', forwardedFor: '203.0.113.5', trustProxy: true, depth: 1, expected: '203.0.113.5' },
    { name: 'rightmost entry at depth 1', forwardedFor: '10.9.9.9, 203.0.113.5', trustProxy: true, depth: 1, expected: '203.0.113.5' },
    { name: 'second from right at depth 2', forwardedFor: '10.9.9.9, 203.0.113.5, 192.0.2.1', trustProxy: true, depth: 2, expected: '203.0.113.5' },
    { name: 'spoofed left entries ignored', forwardedFor: '1.1.1.1, 2.2.2.2, 203.0.113.5', trustProxy: true, depth: 1, expected: '203.0.113.5' },
    { name: 'header shorter than depth', forwardedFor: '203.0.113.5', trustProxy: true, depth: 2, expected: peer },
    { name: 'invalid entry at depth', forwardedFor: '10.0.0.1, unknown', trustProxy: true, depth: 1, expected: peer },
    { name: 'entry with a port', forwardedFor: '203.0.113.5:1234', trustProxy: true, depth: 1, expected: peer },
    { name: 'empty entry at depth', forwardedFor: '203.0.113.5,', trustProxy: true, depth: 1, expected: peer },
    { name: 'mapped entry normalised', forwardedFor: '::ffff:203.0.113.5', trustProxy: true, depth: 1, expected: '203.0.113.5' },
    { name: 'IPv6 entry compressed', forwardedFor: '2001:DB8:0:0:0:0:0:1', trustProxy: true, depth: 1, expected: '2001:db8::1' },
    { name: 'spaces around entries', forwardedFor: '  203.0.113.5  ', trustProxy: true, depth: 1, expected: '203.0.113.5' },
  ];
  for (const { name, forwardedFor, trustProxy, depth, expected } of cases) {
    it(name, () => {
      assert.equal(resolveClientIp(socket, forwardedFor, { trustProxy, trustedProxyDepth: depth }), expected);
    });
  }

  it('unknown socket address is 0.0.0.0', () => {
    assert.equal(resolveClientIp(undefined, undefined, { trustProxy: false, trustedProxyDepth: 1 }), '0.0.0.0');
  });
});

for (const target of testTargets()) describe(`client address over HTTP (${targetLabel(target)})`, () => {
  let plain: TestServer;
  let proxied: TestServer;

  before(async () => {
    plain = await startTestServer({ target });
    proxied = await startTestServer({ target, trustProxy: true, trustedProxyDepth: 2 });
    await plain.createUser('alice');
    await proxied.createUser('alice');
  });
  after(async () => {
    await plain.close();
    await proxied.close();
  });

  it('ignores X-Forwarded-For without trustProxy', async () => {
    const pair = await plain.login('alice', { 'x-forwarded-for': '203.0.113.5' });
    const listed = await plain.api.get('/trusted-devices', { token: pair.access });

    assert.equal(listed.body[0].ip_address, '127.0.0.1');
  });

  it('takes the depth-th entry from the right with trustProxy', async () => {
    const pair = await proxied.login('alice', { 'x-forwarded-for': '6.6.6.6, ::ffff:203.0.113.5, 10.0.0.2' });
    const listed = await proxied.api.get('/trusted-devices', { token: pair.access, headers: { 'x-forwarded-for': '203.0.113.5, 10.0.0.2' } });
    const device = listed.body.find((entry: any) => entry.device_uid === pair.device_uid);

    assert.equal(device.ip_address, '203.0.113.5');
    assert.equal(device.last_ip, '203.0.113.5');
  });

  it('falls back to the socket when the header is short', async () => {
    const pair = await proxied.login('alice', { 'x-forwarded-for': '203.0.113.5' });
    const device = (await proxied.snapshot()).find((row: any) => row.device_uid === pair.device_uid) as any;

    assert.equal(device.ip_address, '127.0.0.1');
  });
});
