import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { parseOptions } from '../src/config/parse.js';
import { TrustedDevicesError } from '../src/errors.js';
import { TokenCodec } from '../src/tokens/token-codec.js';
import { readBearerToken } from '../src/tokens/authorization-header.js';
import { decodeToken, forgeToken } from './helpers/forge-token.js';

const KEY = 'k'.repeat(32);
const NOW = 1_800_000_000;
const INPUT = { userId: '42', deviceUid: '6f1c2a9e-1b7d-4e0a-9a61-2f3b4c5d6e7f', refreshJti: 'a'.repeat(32), issuedAt: NOW };

function codec(options: Record<string, unknown> = {}): TokenCodec {
  return new TokenCodec(parseOptions({ signingKey: KEY, ...options }));
}

function assertInvalid(action: () => unknown, detail?: RegExp): void {
  assert.throws(action, (error: unknown) => {
    assert.ok(error instanceof TrustedDevicesError);
    assert.equal(error.code, 'token_not_valid');
    assert.equal(error.status, 401);
    if (detail !== undefined) assert.match(error.message, detail);
    return true;
  });
}

describe('TokenCodec', () => {
  it('mints simplejwt claims', () => {
    const pair = codec().mintPair(INPUT);
    const access = decodeToken(pair.access);
    const refresh = decodeToken(pair.refresh);

    assert.equal(access.header.alg, 'HS256');
    assert.equal(access.header.typ, 'JWT');
    assert.deepEqual(Object.keys(access.claims).sort(), ['device_uid', 'exp', 'iat', 'jti', 'token_type', 'user_id']);
    assert.equal(access.claims.token_type, 'access');
    assert.equal(access.claims.exp, NOW + 300);
    assert.equal(refresh.claims.token_type, 'refresh');
    assert.equal(refresh.claims.exp, NOW + 86400);
    assert.equal(refresh.claims.jti, INPUT.refreshJti);
    assert.notEqual(access.claims.jti, refresh.claims.jti);
  });

  it('minting twice from one input gives one pair', () => {
    assert.deepEqual(codec().mintPair(INPUT), codec().mintPair(INPUT));
  });

  it('verifies its own tokens', () => {
    const pair = codec().mintPair(INPUT);
    const verified = codec().verify(pair.access, NOW, 'access');

    assert.deepEqual(verified, { tokenType: 'access', userId: '42', deviceUid: INPUT.deviceUid, jti: verified.jti, issuedAt: NOW, expiresAt: NOW + 300 });
  });

  it('expires at exp, later with leeway', () => {
    const { access } = codec().mintPair(INPUT);
    codec().verify(access, NOW + 299, 'access');
    assertInvalid(() => codec().verify(access, NOW + 300, 'access'), /expired/);
    codec({ leeway: 30 }).verify(access, NOW + 329, 'access');
    assertInvalid(() => codec({ leeway: 30 }).verify(access, NOW + 330, 'access'), /expired/);
  });

  it('rejects a token of the other type', () => {
    const pair = codec().mintPair(INPUT);
    assertInvalid(() => codec().verify(pair.refresh, NOW, 'access'), /not an access token/);
    assertInvalid(() => codec().verify(pair.access, NOW, 'refresh'), /not a refresh token/);
  });

  it('rejects alg none, other algorithms and other keys', () => {
    const { access } = codec().mintPair(INPUT);
    const { claims } = decodeToken(access);

    assertInvalid(() => codec().verify(forgeToken({ alg: 'none', typ: 'JWT' }, claims, KEY), NOW));
    assertInvalid(() => codec().verify(forgeToken({ alg: 'HS512', typ: 'JWT' }, claims, KEY), NOW));
    assertInvalid(() => codec().verify(forgeToken({ alg: 'HS384', typ: 'JWT' }, claims, KEY), NOW));
    assertInvalid(() => codec().verify(forgeToken({ alg: 'HS256', typ: 'JWT' }, claims, 'x'.repeat(32)), NOW));
    // The same claims signed with the right key and algorithm pass, so only the defect was rejected.
    codec().verify(forgeToken({ alg: 'HS256', typ: 'JWT' }, claims, KEY), NOW);
  });

  it('rejects a tampered payload', () => {
    const { access } = codec().mintPair(INPUT);
    const [header, , signature] = access.split('.');
    const claims = { ...decodeToken(access).claims, user_id: '1' };
    const tampered = `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${signature}`;

    assertInvalid(() => codec().verify(tampered, NOW));
  });

  for (const [name, padding] of [
    ['a short token', 0],
    ['a token over 1 KiB (cached under its hash)', 2000],
  ] as const) {
    it(`rejects a tampered copy of ${name} once it is cached`, () => {
      const tokens = codec();
      const claims = { token_type: 'access', exp: NOW + 300, iat: NOW, jti: 'j'.repeat(32), user_id: '42', device_uid: INPUT.deviceUid, pad: 'p'.repeat(padding) };
      const valid = forgeToken({ alg: 'HS256', typ: 'JWT' }, claims, KEY);
      assert.equal(tokens.verify(valid, NOW).userId, '42');
      assert.equal(tokens.verify(valid, NOW).userId, '42', 'the cached verification gives the same claims');

      const [header, , signature] = valid.split('.');
      const tampered = `${header}.${Buffer.from(JSON.stringify({ ...claims, user_id: '1' })).toString('base64url')}.${signature}`;
      assertInvalid(() => tokens.verify(tampered, NOW));
      assertInvalid(() => tokens.verify(`${valid.slice(0, -2)}AA`, NOW));
    });
  }

  it('rejects malformed tokens without echoing them', () => {
    for (const token of ['', 'abc', 'a.b', 'a.b.c', 'eyJ.eyJ.', `${'x'.repeat(100)}.${'y'.repeat(100)}.z`]) {
      assert.throws(
        () => codec().verify(token, NOW),
        (error: unknown) => error instanceof TrustedDevicesError && error.code === 'token_not_valid' && (token === '' || !error.message.includes(token)),
        JSON.stringify(token),
      );
    }
  });

  describe('rejects missing or wrong claims', () => {
    const base = decodeToken(codec().mintPair(INPUT).access).claims;
    const cases: [string, Record<string, unknown>][] = [
      ['no token_type', { ...base, token_type: undefined }],
      ['unknown token_type', { ...base, token_type: 'id' }],
      ['no exp', { ...base, exp: undefined }],
      ['string exp', { ...base, exp: String(NOW + 60) }],
      ['no jti', { ...base, jti: undefined }],
      ['no user_id', { ...base, user_id: undefined }],
      ['object user_id', { ...base, user_id: { id: 1 } }],
    ];
    for (const [name, claims] of cases) {
      it(name, () => {
        assertInvalid(() => codec().verify(forgeToken({ alg: 'HS256', typ: 'JWT' }, claims, KEY), NOW));
      });
    }
  });

  it('reads a numeric user_id and a token without device_uid', () => {
    const claims = { ...decodeToken(codec().mintPair(INPUT).access).claims, user_id: 7, device_uid: undefined };
    const verified = codec().verify(forgeToken({ alg: 'HS256', typ: 'JWT' }, claims, KEY), NOW);

    assert.equal(verified.userId, '7');
    assert.equal(verified.deviceUid, undefined);
  });

  it('checks iss and aud when configured', () => {
    const { access } = codec({ issuer: 'auth', audience: 'api' }).mintPair(INPUT);
    assert.equal(decodeToken(access).claims.iss, 'auth');
    codec({ issuer: 'auth', audience: 'api' }).verify(access, NOW);
    assertInvalid(() => codec({ issuer: 'other', audience: 'api' }).verify(access, NOW));
    assertInvalid(() => codec({ issuer: 'auth', audience: 'other' }).verify(access, NOW));
  });

  it('uses the configured user id claim', () => {
    const { access } = codec({ userIdClaim: 'sub' }).mintPair(INPUT);
    assert.equal(decodeToken(access).claims.sub, '42');
    assert.equal(codec({ userIdClaim: 'sub' }).verify(access, NOW).userId, '42');
  });
});

describe('readBearerToken', () => {
  // A string result is the token read; 'token_not_valid' means the header is rejected.
  const cases: [string | undefined, string | undefined][] = [
    [undefined, undefined],
    ['', undefined],
    ['Bearer abc', 'abc'],
    ['bearer abc', undefined],
    ['BEARER abc', undefined],
    ['Basic dXNlcjpwYXNz', undefined],
    ['garbage', undefined],
    ['Bearer', 'token_not_valid'],
    ['Bearer ', 'token_not_valid'],
    ['Bearer a b', 'token_not_valid'],
    ['Bearer  abc', 'token_not_valid'],
    [`Bearer ${'a'.repeat(8193)}`, 'token_not_valid'],
  ];
  for (const [header, expected] of cases) {
    it(`${JSON.stringify(header?.slice(0, 20))} is ${String(expected)}`, () => {
      if (expected === 'token_not_valid') {
        assert.throws(() => readBearerToken(header, ['Bearer']), (error: unknown) => error instanceof TrustedDevicesError && error.code === 'token_not_valid');
      } else {
        assert.equal(readBearerToken(header, ['Bearer']), expected);
      }
    });
  }

  it('accepts every configured scheme', () => {
    assert.equal(readBearerToken('JWT abc', ['Bearer', 'JWT']), 'abc');
  });
});
