import assert from 'node:assert/strict';
import { createHmac, generateKeyPairSync, timingSafeEqual } from 'node:crypto';
import { after, before, describe, it } from 'node:test';

import { startTestServer, type TestServer } from './helpers/test-server.js';

/** The Django SIGNING_KEY both sides share in this test (simplejwt defaults to SECRET_KEY). */
const SHARED_KEY = 'django-insecure-interop-test-key-0123456789abcdef';
/** The header PyJWT 2 writes for HS256: keys sorted, no spaces. */
const SIMPLEJWT_HEADER = '{"alg":"HS256","typ":"JWT"}';

const base64url = (text: string) => Buffer.from(text, 'utf8').toString('base64url');

/**
 * Serialises and signs claims as simplejwt does through PyJWT: compact JSON
 * (`separators=(",", ":")`) in the order simplejwt sets the claims, then
 * HMAC-SHA256 over `header.payload`.
 */
function mintLikeSimplejwt(claims: Record<string, string | number>, options: { header?: string; key?: string } = {}): string {
  const input = `${base64url(options.header ?? SIMPLEJWT_HEADER)}.${base64url(JSON.stringify(claims))}`;
  return `${input}.${createHmac('sha256', options.key ?? SHARED_KEY).update(input).digest('base64url')}`;
}

/**
 * Checks a token as simplejwt's TokenBackend and django-trusted-devices do
 * for HS256: signature with the shared key, `alg` HS256 (other header fields
 * such as `kid` are ignored), `exp` in the future, `token_type`, `jti`, the
 * user id claim and `device_uid`. Returns the claims or throws.
 */
function decodeLikeSimplejwt(token: string, nowSeconds: number, tokenType: 'access' | 'refresh'): Record<string, unknown> {
  const [header, payload, signature] = token.split('.');
  const expected = createHmac('sha256', SHARED_KEY).update(`${header}.${payload}`).digest();
  const actual = Buffer.from(signature!, 'base64url');
  if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) throw new Error('Signature verification failed');
  if (JSON.parse(Buffer.from(header!, 'base64url').toString()).alg !== 'HS256') throw new Error('The specified alg value is not allowed');

  const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString()) as Record<string, unknown>;
  if (typeof claims.exp !== 'number' || claims.exp <= nowSeconds) throw new Error('Token is expired');
  if (claims.token_type !== tokenType) throw new Error('Token has wrong type');
  if (typeof claims.jti !== 'string') throw new Error('Token has no id');
  if (claims.user_id === undefined) throw new Error('Token contained no recognizable user identification');
  if (typeof claims.device_uid !== 'string') throw new Error('Device UID missing from token');
  return claims;
}

describe('simplejwt interop', () => {
  let server: TestServer;
  let userId: string;
  let deviceUid: string;
  let now: number;

  before(async () => {
    server = await startTestServer({ signingKey: SHARED_KEY });
    userId = await server.createUser('alice');
    deviceUid = (await server.login('alice')).device_uid;
    now = Math.floor(server.clock.now / 1000);
  });
  after(() => server.close());

  /** An access token with the claims simplejwt + django-trusted-devices write, in their order. */
  const djangoAccessClaims = () => ({
    token_type: 'access',
    exp: now + 300,
    iat: now,
    jti: '4f2b8a0c9d3e4f5a8b7c6d5e4f3a2b1c',
    user_id: userId,
    device_uid: deviceUid,
  });

  it('accepts a Django access token', async () => {
    const token = mintLikeSimplejwt(djangoAccessClaims());
    assert.deepEqual(JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()), { alg: 'HS256', typ: 'JWT' });

    const request = await server.api.get('/trusted-devices', { token });
    assert.equal(request.status, 200);
    assert.equal(request.body[0].device_uid, deviceUid);
    assert.equal((await server.api.post('/api/token/verify', { body: { token } })).status, 200);
  });

  it('tokens minted here pass simplejwt checks', async () => {
    const login = await server.login('alice');
    const access = decodeLikeSimplejwt(login.access, now, 'access');
    const refresh = decodeLikeSimplejwt(login.refresh, now, 'refresh');

    assert.deepEqual(Object.keys(access).sort(), ['device_uid', 'exp', 'iat', 'jti', 'token_type', 'user_id']);
    assert.equal(access.user_id, userId);
    assert.equal(access.device_uid, login.device_uid);
    assert.match(access.jti as string, /^[0-9a-f]{32}$/);
    assert.match(refresh.jti as string, /^[0-9a-f]{32}$/);
    assert.equal((refresh.exp as number) - (refresh.iat as number), 86_400);
  });

  it('rejects tampered Django tokens', async () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const rsaPublicPem = rsa.publicKey.export({ format: 'pem', type: 'spki' }) as string;
    const claims = djangoAccessClaims();
    const tampered: Record<string, string> = {
      'alg HS384': mintLikeSimplejwt(claims, { header: '{"alg":"HS384","typ":"JWT"}' }),
      'alg none': `${base64url('{"alg":"none","typ":"JWT"}')}.${base64url(JSON.stringify(claims))}.`,
      'kid pointing elsewhere': mintLikeSimplejwt(claims, { header: '{"alg":"HS256","kid":"elsewhere","typ":"JWT"}' }),
      'HS256 signed with an RSA public key': mintLikeSimplejwt(claims, { key: rsaPublicPem }),
      'another key': mintLikeSimplejwt(claims, { key: `${SHARED_KEY}-other` }),
      'expired': mintLikeSimplejwt({ ...claims, exp: now }),
      'refresh as access': mintLikeSimplejwt({ ...claims, token_type: 'refresh' }),
      'another user': mintLikeSimplejwt({ ...claims, user_id: 'someone-else' }),
    };
    const expectedCode: Record<string, string> = { 'another user': 'device_not_recognized' };

    for (const [label, token] of Object.entries(tampered)) {
      const response = await server.api.get('/trusted-devices', { token });
      assert.equal(response.status, 401, label);
      assert.equal(response.body.code, expectedCode[label] ?? 'token_not_valid', label);
    }
  });

  it('a Django token without device_uid is device_uid_missing', async () => {
    const { device_uid: _omitted, ...claims } = djangoAccessClaims();
    const response = await server.api.get('/trusted-devices', { token: mintLikeSimplejwt(claims) });
    assert.equal(response.status, 401);
    assert.equal(response.body.code, 'device_uid_missing');
  });
});
