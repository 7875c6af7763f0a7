import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import type { GeoProvider } from '../../src/contracts.js';
import { GeoLocator } from '../../src/geo/geo-locator.js';
import { locatableAddress } from '../../src/geo/locatable-address.js';
import { GeoLookupError } from '../../src/geo/lookup-error.js';
import { FakeClock } from '../helpers/clock.js';
import { RecordingLogger } from '../helpers/recording-logger.js';

const PUBLIC_IP = '81.2.69.142';

function countingProvider(answer: (ip: string) => unknown): GeoProvider & { calls: string[] } {
  const calls: string[] = [];
  // Passed inline, the arrow function has no name, as a host's custom provider often has none.
  return Object.assign(
    (ip: string) => {
      calls.push(ip);
      return Promise.resolve(answer(ip)) as ReturnType<GeoProvider>;
    },
    { calls },
  );
}

function locatorFor(provider: GeoProvider, options: { clock?: FakeClock; logger?: RecordingLogger; cacheTtlMs?: number; lookupTimeoutMs?: number } = {}) {
  const clock = options.clock ?? new FakeClock();
  return new GeoLocator(provider, {
    cacheTtlMs: options.cacheTtlMs ?? 60_000,
    clock: clock.read,
    logger: options.logger ?? new RecordingLogger(),
    ...(options.lookupTimeoutMs === undefined ? {} : { lookupTimeoutMs: options.lookupTimeoutMs }),
  });
}

/** Addresses that have no location: none may reach a provider. */
const NOT_LOCATABLE: [string, string][] = [
  ['127.0.0.1', 'IPv4 loopback'],
  ['127.255.255.254', 'IPv4 loopback, end of range'],
  ['10.1.2.3', 'RFC 1918 10/8'],
  ['172.16.0.1', 'RFC 1918 172.16/12'],
  ['172.31.255.255', 'RFC 1918 172.16/12, end of range'],
  ['192.168.1.10', 'RFC 1918 192.168/16'],
  ['169.254.10.20', 'IPv4 link-local'],
  ['100.64.0.1', 'CGNAT 100.64/10'],
  ['100.127.255.254', 'CGNAT, end of range'],
  ['0.0.0.0', 'IPv4 unspecified'],
  ['255.255.255.255', 'IPv4 broadcast'],
  ['224.0.0.251', 'IPv4 multicast'],
  ['192.0.2.1', 'documentation TEST-NET-1'],
  ['198.51.100.7', 'documentation TEST-NET-2'],
  ['203.0.113.9', 'documentation TEST-NET-3'],
  ['198.18.0.1', 'benchmarking 198.18/15'],
  ['240.0.0.1', 'reserved 240/4'],
  ['::1', 'IPv6 loopback'],
  ['::', 'IPv6 unspecified'],
  ['fe80::1', 'IPv6 link-local'],
  ['fc00::1', 'unique-local fc00::/7'],
  ['fd12:3456:789a::1', 'unique-local fd00::/8'],
  ['2001:db8::1', 'IPv6 documentation'],
  ['ff02::1', 'IPv6 multicast'],
  ['::ffff:10.0.0.1', 'IPv4-mapped private'],
  ['::ffff:127.0.0.1', 'IPv4-mapped loopback'],
  ['::ffff:192.168.0.1', 'IPv4-mapped private, 192.168/16'],
  ['64:ff9b::808:808', 'NAT64 64:ff9b::/96'],
  ['2002:c000:204::1', '6to4 2002::/16'],
  ['2001::1', 'Teredo 2001::/32'],
  ['100::1', 'IPv6 discard 100::/64'],
  ['81.2.69.142abc', 'trailing characters'],
  ['081.2.69.142', 'leading zero (octal in some parsers)'],
  ['1', 'one-part IPv4 form'],
  ['0x51.2.69.142', 'hexadecimal IPv4 part'],
  ['fe80::1%eth0', 'IPv6 with a zone id'],
  ['::ffff:081.2.69.142', 'IPv4-mapped with a leading zero'],
  ['', 'empty'],
  ['unknown', 'not an address'],
];

describe('GeoLocator', () => {
  it('never sends private or reserved addresses', async () => {
    const provider = countingProvider(() => ({ country: 'Nowhere' }));
    const locator = locatorFor(provider);

    for (const [ip, label] of NOT_LOCATABLE) {
      const result = await locator.locate(ip);
      assert.equal(result.status, 'not-locatable', `${ip} (${label})`);
      assert.deepEqual(result.location, {}, `${ip} (${label})`);
    }
    assert.deepEqual(provider.calls, []);
  });

  it('sends public addresses in canonical form', async () => {
    const provider = countingProvider(() => ({ country: 'Somewhere' }));
    const locator = locatorFor(provider);

    for (const ip of ['81.2.69.142', '::ffff:89.160.20.128', '2001:0480:0000::0001']) {
      assert.equal((await locator.locate(ip)).status, 'located', ip);
    }
    assert.deepEqual(provider.calls, ['81.2.69.142', '89.160.20.128', '2001:480::1']);
    assert.equal(locatableAddress('::FFFF:81.2.69.142'), '81.2.69.142');
  });

  it('drops unexpected keys and blank fields', async () => {
    const provider = countingProvider(() => ({ country: ' Sweden ', region: '', city: 42, latitude: 58.4, isp: 'x' }));
    const result = await locatorFor(provider).locate(PUBLIC_IP);

    assert.equal(result.status, 'located');
    assert.deepEqual(result.location, { country: 'Sweden' });
  });

  it('caps fields at 100 characters', async () => {
    const provider = countingProvider(() => ({ city: 'x'.repeat(500) }));
    const result = await locatorFor(provider).locate(PUBLIC_IP);

    assert.equal(result.location.city?.length, 100);
  });

  it('treats null and empty objects as unknown', async () => {
    for (const answer of [null, undefined, {}, { country: '' }]) {
      const result = await locatorFor(countingProvider(() => answer)).locate(PUBLIC_IP);
      assert.equal(result.status, 'unknown', JSON.stringify(answer));
      assert.deepEqual(result.location, {});
    }
  });

  it('treats non-objects as failed, logged once per provider', async () => {
    const logger = new RecordingLogger();
    const answers: unknown[] = ['Sweden', 42, ['Sweden'], true];
    const provider = countingProvider(() => answers.shift());
    const locator = locatorFor(provider, { logger, cacheTtlMs: 0 });

    for (let i = 0; i < 4; i++) {
      const result = await locator.locate(PUBLIC_IP);
      assert.equal(result.status, 'failed');
      assert.deepEqual(result.location, {});
    }
    assert.equal(provider.calls.length, 4);
    assert.equal(logger.entries.length, 1);
    assert.equal(logger.entries[0]!.fields.provider, 'custom');
    assert.equal(logger.entries[0]!.fields.reason, 'invalid-result');
  });

  it('treats a throwing provider as failed, logged once', async () => {
    const logger = new RecordingLogger();
    async function flaky(): Promise<never> {
      await Promise.resolve();
      throw new Error('connection refused');
    }
    const locator = locatorFor(flaky, { logger });

    for (let i = 0; i < 5; i++) assert.equal((await locator.locate(PUBLIC_IP)).status, 'failed');
    assert.equal(logger.entries.length, 1);
    assert.equal(logger.entries[0]!.level, 'warn');
    assert.equal(logger.entries[0]!.fields.provider, 'flaky');
    assert.equal(logger.entries[0]!.fields.reason, 'error');
  });

  it('logs each failure reason of a provider once', async () => {
    const logger = new RecordingLogger();
    const errors = [
      new GeoLookupError('http-status', 'HTTP 500'),
      new GeoLookupError('http-status', 'HTTP 502'),
      new GeoLookupError('invalid-json', 'bad JSON'),
      new GeoLookupError('invalid-json', 'bad JSON'),
    ];
    const provider = () => Promise.reject(errors.shift()!);
    const locator = locatorFor(provider, { logger });

    for (let i = 0; i < 4; i++) await locator.locate(PUBLIC_IP);
    assert.deepEqual(logger.entries.map((entry) => entry.fields.reason), ['http-status', 'invalid-json']);
  });

  it('gives up on a provider that never answers', async () => {
    const logger = new RecordingLogger();
    const never: GeoProvider = () => new Promise(() => {});
    const result = await locatorFor(never, { logger, lookupTimeoutMs: 20 }).locate(PUBLIC_IP);

    assert.equal(result.status, 'failed');
    assert.equal(logger.entries[0]!.fields.reason, 'timeout');
  });

  it('caches known locations until the TTL', async () => {
    const clock = new FakeClock();
    const provider = countingProvider(() => ({ country: 'United Kingdom' }));
    const locator = locatorFor(provider, { clock, cacheTtlMs: 60_000 });

    assert.equal((await locator.locate(PUBLIC_IP)).status, 'located');
    clock.advance(59_999);
    const cached = await locator.locate(PUBLIC_IP);
    assert.equal(cached.status, 'cached');
    assert.deepEqual(cached.location, { country: 'United Kingdom' });
    assert.equal(provider.calls.length, 1);

    clock.advance(1);
    assert.equal((await locator.locate(PUBLIC_IP)).status, 'located');
    assert.equal(provider.calls.length, 2);
  });

  it('does not cache unknown or failed lookups', async () => {
    const answers: unknown[] = [null, {}, 'bad'];
    const provider = countingProvider(() => answers.shift());
    const locator = locatorFor(provider);

    for (let i = 0; i < 3; i++) await locator.locate(PUBLIC_IP);
    assert.equal(provider.calls.length, 3);
  });

  it('bounds the cache size', async () => {
    const provider = countingProvider((ip) => ({ city: ip }));
    const locator = new GeoLocator(provider, { cacheTtlMs: 60_000, cacheSize: 2, clock: new FakeClock().read, logger: new RecordingLogger() });

    for (const ip of ['81.2.69.1', '81.2.69.2', '81.2.69.3']) await locator.locate(ip);
    assert.equal((await locator.locate('81.2.69.3')).status, 'cached');
    assert.equal((await locator.locate('81.2.69.2')).status, 'cached');
    assert.equal((await locator.locate('81.2.69.1')).status, 'located', 'the oldest entry was evicted');
  });

  it('shares one call between concurrent lookups', async () => {
    let release!: (value: unknown) => void;
    const firstAnswer = new Promise((resolve) => (release = resolve));
    const provider = countingProvider(() => (provider.calls.length === 1 ? firstAnswer : { country: 'United Kingdom' }));
    const locator = locatorFor(provider, { cacheTtlMs: 0 });

    const lookups = [locator.locate(PUBLIC_IP), locator.locate(PUBLIC_IP), locator.locate('::ffff:81.2.69.142')];
    release({ country: 'United Kingdom' });
    const results = await Promise.all(lookups);

    assert.equal(provider.calls.length, 1);
    for (const result of results) assert.deepEqual(result, { status: 'located', location: { country: 'United Kingdom' } });
    await locator.locate(PUBLIC_IP);
    assert.equal(provider.calls.length, 2, 'a finished lookup is not shared');
  });
});
