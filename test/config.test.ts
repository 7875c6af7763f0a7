import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { formatMinutes, parseDurationSeconds } from '../src/config/duration.js';
import { parseOptions } from '../src/config/parse.js';
import { createTrustedDevices } from '../src/trusted-devices.js';

const SIGNING_KEY = 'secret-signing-key-that-must-never-be-echoed-0123456789';

/** Asserts that the options fail with a TypeError whose message matches every pattern and does not contain the key. */
function assertRejected(options: Record<string, unknown>, ...patterns: RegExp[]): void {
  assert.throws(
    () => parseOptions({ signingKey: SIGNING_KEY, ...options }),
    (error: unknown) => {
      assert.ok(error instanceof TypeError, String(error));
      for (const pattern of patterns) assert.match(error.message, pattern);
      assert.ok(!error.message.includes(SIGNING_KEY.slice(0, 12)), `the key is in: ${error.message}`);
      assert.match(error.message, /Fix: /, `no fix in: ${error.message}`);
      return true;
    },
  );
}

describe('options', () => {
  it('defaults match the documented values', () => {
    const config = parseOptions({ signingKey: SIGNING_KEY });

    assert.equal(config.deleteDelayMinutes, 1440);
    assert.equal(config.updateDelayMinutes, 60);
    assert.equal(config.delayApplies, 'acting');
    assert.equal(config.allowGlobalDelete, true);
    assert.equal(config.allowGlobalUpdate, true);
    assert.equal(config.defaultCanDeleteOtherDevices, true);
    assert.equal(config.defaultCanUpdateOtherDevices, true);
    assert.equal(config.maxDevicesPerUser, null);
    assert.equal(config.detectConcurrentSessions, true);
    assert.equal(config.concurrentSessionWindowSeconds, 60);
    assert.equal(config.trustProxy, false);
    assert.equal(config.trustedProxyDepth, 1);
    assert.equal(config.geolocationCacheSeconds, 86400);
    assert.equal(config.accessTokenLifetime, 300);
    assert.equal(config.refreshTokenLifetime, 86400);
    assert.equal(config.rotateRefreshTokens, true);
    assert.deepEqual(config.authHeaderTypes, ['Bearer']);
    assert.equal(config.userIdClaim, 'user_id');
    assert.equal(config.leeway, 0);
    assert.equal(config.bodyLimitBytes, 16 * 1024);
  });

  it('leaves the caller object unchanged', () => {
    const input = { signingKey: SIGNING_KEY, accessTokenLifetime: '10m' };
    const config = parseOptions(input);

    assert.equal(config.accessTokenLifetime, 600);
    assert.deepEqual(input, { signingKey: SIGNING_KEY, accessTokenLifetime: '10m' });
  });

  it('a short or wrongly typed key fails without echoing it', () => {
    assertRejected({ signingKey: 'short' }, /"signingKey"/, /5 bytes/, /at least 32 bytes/);
    assertRejected({ signingKey: 12345 }, /"signingKey"/, /at least 32 bytes/);
    assert.throws(() => parseOptions({} as never), /"signingKey"/);
  });

  it('a wrong option names itself, its value and the fix', () => {
    const cases: [Record<string, unknown>, RegExp[]][] = [
      [{ deleteDelayMinutes: -1 }, [/"deleteDelayMinutes"/, /received -1/]],
      [{ updateDelayMinutes: 1.5 }, [/"updateDelayMinutes"/, /received 1\.5/]],
      [{ maxDevicesPerUser: 0 }, [/"maxDevicesPerUser"/, /received 0/, /or null for no limit/]],
      [{ delayApplies: 'both' }, [/"delayApplies"/, /received "both"/, /"acting"/]],
      [{ allowGlobalDelete: 'yes' }, [/"allowGlobalDelete"/, /received "yes"/, /true or false/]],
      [{ trustedProxyDepth: 0 }, [/"trustedProxyDepth"/, /received 0/]],
      [{ accessTokenLifetime: '5 minutes' }, [/"accessTokenLifetime"/, /received "5 minutes"/, /"5m"/]],
      [{ refreshTokenLifetime: 0 }, [/"refreshTokenLifetime"/, /received 0/]],
      [{ accessTokenLifetime: '0s' }, [/"accessTokenLifetime"/]],
      [{ authHeaderTypes: [] }, [/"authHeaderTypes"/, /received \[\]/]],
      [{ authHeaderTypes: ['Bearer token'] }, [/"authHeaderTypes\.0"/, /received "Bearer token"/]],
      [{ algorithm: 'none' }, [/"algorithm"/, /received "none"/, /HS256/]],
      [{ tablePrefix: 'Bad-Prefix' }, [/"tablePrefix"/, /received "Bad-Prefix"/]],
      [{ loginFields: { username: '' } }, [/"loginFields\.username"/]],
      [{ bodyLimitBytes: 10 }, [/"bodyLimitBytes"/, /received 10/]],
    ];
    for (const [options, patterns] of cases) assertRejected(options, ...patterns);
  });

  it('an unknown option is named without echoing the others', () => {
    assertRejected({ deleteDelayMinute: 5 }, /"deleteDelayMinute"/, /nknown option/, /did you mean "deleteDelayMinutes"/);
    assertRejected({ verificationKeys: [{ key: SIGNING_KEY, extra: 1 }] }, /"verificationKeys\.0\.extra"/, /nknown option/);
  });

  it('createTrustedDevices checks the pieces a host plugs in', async () => {
    const users = { verifyCredentials: () => Promise.resolve(null), findById: () => Promise.resolve(null) };
    await assert.rejects(createTrustedDevices({ signingKey: SIGNING_KEY, users: {} as never, database: ':memory:' }), /"users"/);
    await assert.rejects(createTrustedDevices({ signingKey: SIGNING_KEY, users }), /exactly one of "database"/);
    await assert.rejects(createTrustedDevices({ signingKey: SIGNING_KEY, users, database: ':memory:', geolocation: 'ipapi' as never }), /"geolocation"/);
    await assert.rejects(createTrustedDevices({ signingKey: SIGNING_KEY, users, database: ':memory:', clock: 5 as never }), /"clock"/);

    const td = await createTrustedDevices({ signingKey: SIGNING_KEY, users, database: ':memory:' });
    assert.equal(td.config.deleteDelayMinutes, 1440);
    await td.close();
  });
});

describe('parseDurationSeconds', () => {
  const cases: [number | string, number | undefined][] = [
    [0, 0],
    [90, 90],
    ['90', 90],
    ['90s', 90],
    ['5m', 300],
    ['1h30m', 5400],
    ['7d', 604800],
    ['1d2h3m4s', 93784],
    [' 2h ', 7200],
    ['', undefined],
    ['5 m', undefined],
    ['1h1h', undefined],
    ['m', undefined],
    ['-5', undefined],
    [-5, undefined],
    [Number.NaN, undefined],
    [Number.POSITIVE_INFINITY, undefined],
  ];
  for (const [input, expected] of cases) {
    it(`${JSON.stringify(input)} is ${String(expected)}`, () => {
      assert.equal(parseDurationSeconds(input), expected);
    });
  }
});

describe('formatMinutes', () => {
  const cases: [number, string][] = [
    [0, '0 minutes'],
    [1, '1 minute'],
    [59, '59 minutes'],
    [60, '1 hour'],
    [90, '1 hour, 30 minutes'],
    [1440, '1 day'],
    [1441, '1 day, 1 minute'],
    [3060, '2 days, 3 hours'],
  ];
  for (const [minutes, expected] of cases) {
    it(`${minutes} is "${expected}"`, () => {
      assert.equal(formatMinutes(minutes), expected);
    });
  }
});
