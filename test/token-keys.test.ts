import assert from 'node:assert/strict';
import { createHmac, createPublicKey, generateKeyPairSync, randomBytes, sign as cryptoSign, type KeyObject } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import type { Kysely } from 'kysely';

import { parseOptions } from '../src/config/parse.js';
import { sqliteCapabilities } from '../src/store/dialect-capabilities.js';
import { KyselyStore } from '../src/store/kysely-store.js';
import { migrateToLatest } from '../src/store/migrate.js';
import { openSqlite } from '../src/store/sqlite.js';
import { createTrustedDevices, type TrustedDevices, type TrustedDevicesOptions } from '../src/trusted-devices.js';
import { SqlUserStore } from '../src/users/sql-user-store.js';
import { FakeClock } from './helpers/clock.js';
import { startTestServer, TEST_PASSWORD, TEST_SCRYPT } from './helpers/test-server.js';

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const ed = generateKeyPairSync('ed25519');
const HMAC_SECRET = randomBytes(32).toString('base64url');
const CLIENT = { ip: '203.0.113.10', userAgent: 'test' };

const pem = (key: KeyObject) => key.export({ format: 'pem', type: key.type === 'private' ? 'pkcs8' : 'spki' }) as string;
const jwk = (key: KeyObject) => key.export({ format: 'jwk' });
const segment = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const decodeHeader = (token: string) => JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()) as Record<string, unknown>;

/** Re-signs a token's claims under another header with HMAC-SHA256 and the given secret. */
function resignHs256(token: string, header: Record<string, unknown>, secret: string | Buffer): string {
  const input = `${segment(header)}.${token.split('.')[1]!}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}

describe('signing keys', () => {
  const cases: [string, Pick<TrustedDevicesOptions, 'signingKey' | 'algorithm'>, string][] = [
    ['RS256 PEM', { signingKey: pem(rsa.privateKey) }, 'RS256'],
    ['ES256 JWK', { signingKey: jwk(ec.privateKey), algorithm: 'ES256' }, 'ES256'],
    ['EdDSA PEM', { signingKey: pem(ed.privateKey) }, 'EdDSA'],
    ['HS256 JWK', { signingKey: { kty: 'oct', k: Buffer.from(HMAC_SECRET).toString('base64url') } }, 'HS256'],
  ];
  for (const [label, keyOptions, algorithm] of cases) {
    it(`${label} signs tokens that authenticate`, async () => {
      const server = await startTestServer(keyOptions);
      try {
        await server.createUser('alice');
        const login = await server.login('alice');
        const header = decodeHeader(login.access);
        assert.equal(header.alg, algorithm);
        assert.equal(header.kid, server.td.config.keys.signing.kid);
        assert.equal(decodeHeader(login.refresh).kid, header.kid);

        assert.equal((await server.api.get('/trusted-devices', { token: login.access })).status, 200);
        const refreshed = await server.api.post('/api/token/refresh', { body: { refresh: login.refresh } });
        assert.equal(refreshed.status, 200);
        assert.equal((await server.api.post('/api/token/verify', { body: { token: refreshed.body.refresh } })).status, 200);
      } finally {
        await server.close();
      }
    });
  }

  it('kid defaults to the RFC 7638 thumbprint', () => {
    // The RFC 7638 section 3.1 example key and its thumbprint.
    const exampleKey = {
      kty: 'RSA',
      e: 'AQAB',
      n: '0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw',
    };
    const config = parseOptions({ signingKey: HMAC_SECRET, verificationKeys: [{ key: exampleKey }] });
    assert.equal(config.keys.verification[1]!.kid, 'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs');
  });

  it('bad keys fail at start-up without echoing them', () => {
    const weakRsa = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const secp384 = generateKeyPairSync('ec', { namedCurve: 'P-384' });
    const cases: [Parameters<typeof parseOptions>[0], RegExp][] = [
      [{ signingKey: 'short secret' }, /^Invalid option "signingKey": the HMAC secret has 12 bytes.*Fix: pass a random secret/],
      [{ signingKey: pem(rsa.publicKey) }, /^Invalid option "signingKey": the key is a public key, which cannot sign.*Fix: pass the private key/],
      [{ signingKey: pem(rsa.privateKey), algorithm: 'ES256' }, /^Invalid option "signingKey": the key is for RS256, but "ES256" was configured.*Fix: set the algorithm to "RS256"/],
      [{ signingKey: HMAC_SECRET, algorithm: 'RS256' }, /^Invalid option "signingKey": the key is an HMAC secret, which cannot be used with "RS256"/],
      [{ signingKey: pem(weakRsa.privateKey) }, /^Invalid option "signingKey": the RSA key has 1024 bits.*2048/],
      [{ signingKey: pem(secp384.privateKey) }, /^Invalid option "signingKey": the EC key is on curve secp384r1.*P-256/],
      [{ signingKey: '-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----' }, /^Invalid option "signingKey": the PEM key could not be read.*Fix:/],
      [{ signingKey: { kty: 'EC', crv: 'P-256', x: 'bad' } }, /^Invalid option "signingKey": the JWK key could not be read/],
      [{ signingKey: HMAC_SECRET, verificationKeys: [{ key: HMAC_SECRET }] }, /^Invalid option "verificationKeys\.0": the kid ".*" is already used/],
      [{ signingKey: HMAC_SECRET, verificationKeys: [{ key: pem(rsa.publicKey), algorithm: 'EdDSA' }] }, /^Invalid option "verificationKeys\.0\.key": the key is for RS256, but "EdDSA"/],
      [{ signingKey: HMAC_SECRET, algorithm: 'none' as never }, /^Invalid option "algorithm"/],
      [{ signingKey: HMAC_SECRET, signingKeyId: 'has space' }, /^Invalid option "signingKeyId"/],
    ];
    for (const [options, expected] of cases) {
      let message = '';
      try {
        parseOptions(options);
      } catch (error) {
        assert.ok(error instanceof TypeError);
        message = error.message;
      }
      assert.match(message, expected);
      assert.ok(!message.includes(HMAC_SECRET), `secret in: ${message}`);
      assert.ok(!message.includes('short secret'), `short secret in: ${message}`);
      assert.ok(!message.includes('MII'), `PEM body in: ${message}`);
    }
  });
});

describe('key rotation', () => {
  let folder: string;
  let db: ReturnType<typeof openSqlite>;
  let users: SqlUserStore;
  const clock = new FakeClock();
  const opened: TrustedDevices[] = [];

  before(async () => {
    folder = mkdtempSync(join(tmpdir(), 'trusted-devices-keys-'));
    db = openSqlite(join(folder, 'keys.sqlite'));
    await migrateToLatest(db as Kysely<unknown>, { includeUsers: true });
    users = new SqlUserStore(db, { scrypt: TEST_SCRYPT });
    await users.createUser('alice', TEST_PASSWORD);
  });
  after(async () => {
    for (const td of opened) await td.close();
    await db.destroy();
    rmSync(folder, { recursive: true, force: true });
  });

  /** Opens an instance over the shared database, as after a restart with new key settings. */
  async function instance(keys: Pick<TrustedDevicesOptions, 'signingKey' | 'verificationKeys'>): Promise<TrustedDevices> {
    const td = await createTrustedDevices({
      ...keys,
      users,
      loginThrottle: false,
      store: new KyselyStore(db, sqliteCapabilities, { onClose: () => Promise.resolve() }),
      clock: clock.read,
    });
    opened.push(td);
    return td;
  }

  it('old key verifies while listed, not after', async () => {
    const oldKey = pem(rsa.privateKey);
    const before = await instance({ signingKey: oldKey });
    const login = await before.login('alice', TEST_PASSWORD, CLIENT);

    const during = await instance({ signingKey: pem(ed.privateKey), verificationKeys: [{ key: pem(rsa.publicKey) }] });
    const auth = await during.authenticate(`Bearer ${login.access}`, CLIENT);
    assert.equal(auth.device.deviceUid, login.deviceUid);
    const rotated = await during.refresh(login.refresh, CLIENT);
    assert.equal(decodeHeader(rotated.access).alg, 'EdDSA', 'refresh re-signs with the new key');
    assert.deepEqual(
      during.jwks().keys.map((key) => key.kid),
      [during.config.keys.signing.kid, before.config.keys.signing.kid],
    );

    const afterRetirement = await instance({ signingKey: pem(ed.privateKey) });
    await assert.rejects(afterRetirement.authenticate(`Bearer ${login.access}`, CLIENT), { code: 'token_not_valid' });
    await afterRetirement.authenticate(`Bearer ${rotated.access}`, CLIENT);
  });
});

describe('JWKS route', () => {
  it('lists exactly the public keys', async () => {
    const server = await startTestServer({
      signingKey: pem(ec.privateKey),
      verificationKeys: [
        { key: pem(rsa.privateKey), kid: 'old-rsa' },
        { key: jwk(ed.publicKey), kid: 'partner-ed' },
        { key: randomBytes(32), kid: 'legacy-hmac' },
      ],
    });
    try {
      const response = await server.api.get('/.well-known/jwks.json');
      assert.equal(response.status, 200);
      assert.equal(response.headers.get('cache-control'), 'public, max-age=300');
      const keys = response.body.keys as Record<string, string>[];
      assert.deepEqual(keys.map((key) => [key.kid, key.kty, key.alg, key.use]), [
        [server.td.config.keys.signing.kid, 'EC', 'ES256', 'sig'],
        ['old-rsa', 'RSA', 'RS256', 'sig'],
        ['partner-ed', 'OKP', 'EdDSA', 'sig'],
      ]);
      for (const key of keys) {
        for (const privateMember of ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k']) assert.equal(key[privateMember], undefined, `${key.kid} has ${privateMember}`);
      }
      assert.deepEqual(keys[1]!.n, jwk(rsa.publicKey).n);
      assert.equal((await server.api.get('/.well-known/jwks.json/')).status, 200, 'trailing slash');
      assert.equal((await server.api.post('/.well-known/jwks.json')).status, 405);
    } finally {
      await server.close();
    }
  });

  it('is empty with HMAC keys only', async () => {
    const server = await startTestServer();
    try {
      const response = await server.api.get('/.well-known/jwks.json');
      assert.deepEqual(response.body, { keys: [] });
    } finally {
      await server.close();
    }
  });

  it('a token verifies with the published key', async () => {
    const server = await startTestServer({ signingKey: pem(ed.privateKey), issuer: 'https://auth.example', audience: 'orders' });
    try {
      await server.createUser('alice');
      const login = await server.login('alice');
      const [published] = (await server.api.get('/.well-known/jwks.json')).body.keys;
      const [header, payload, signature] = login.access.split('.');
      const valid = (await import('node:crypto')).verify(
        null,
        Buffer.from(`${header}.${payload}`),
        createPublicKey({ key: published, format: 'jwk' }),
        Buffer.from(signature!, 'base64url'),
      );
      assert.ok(valid);
      const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString());
      assert.equal(claims.iss, 'https://auth.example');
      assert.equal(claims.aud, 'orders');
    } finally {
      await server.close();
    }
  });
});

describe('tampered tokens', () => {
  it('are rejected', async () => {
    const server = await startTestServer({ signingKey: HMAC_SECRET, verificationKeys: [{ key: pem(rsa.publicKey), kid: 'rsa' }] });
    try {
      await server.createUser('alice');
      const login = await server.login('alice');
      const honest = decodeHeader(login.access);
      const [headerPart, payloadPart] = login.access.split('.');
      const rsaPublicPem = pem(rsa.publicKey);

      const tampered: Record<string, string> = {
        'alg HS512': (() => {
          const input = `${segment({ ...honest, alg: 'HS512' })}.${payloadPart}`;
          return `${input}.${createHmac('sha512', HMAC_SECRET).update(input).digest('base64url')}`;
        })(),
        'alg none': `${segment({ alg: 'none', typ: 'JWT' })}.${payloadPart}.`,
        'alg none with kid': `${segment({ alg: 'none', typ: 'JWT', kid: honest.kid })}.${payloadPart}.`,
        'kid of the RSA key': resignHs256(login.access, { ...honest, kid: 'rsa' }, HMAC_SECRET),
        'unknown kid': resignHs256(login.access, { ...honest, kid: 'nobody' }, HMAC_SECRET),
        'HS256 with the RSA public key as secret': resignHs256(login.access, { alg: 'HS256', typ: 'JWT' }, rsaPublicPem),
        'HS256 with the RSA public key and its kid': resignHs256(login.access, { alg: 'HS256', typ: 'JWT', kid: 'rsa' }, rsaPublicPem),
        'RS256 claimed, HMAC signature': `${segment({ alg: 'RS256', typ: 'JWT', kid: 'rsa' })}.${payloadPart}.${login.access.split('.')[2]}`,
        'RS256 with the wrong key': (() => {
          const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
          const input = `${segment({ alg: 'RS256', typ: 'JWT', kid: 'rsa' })}.${payloadPart}`;
          return `${input}.${cryptoSign('sha256', Buffer.from(input), other.privateKey).toString('base64url')}`;
        })(),
        'header not JSON': `${Buffer.from('not json').toString('base64url')}.${payloadPart}.x`,
        'kid not a string': resignHs256(login.access, { ...honest, kid: 7 }, HMAC_SECRET),
        'changed claims': `${headerPart}.${segment({ ...JSON.parse(Buffer.from(payloadPart!, 'base64url').toString()), user_id: 'someone' })}.${login.access.split('.')[2]}`,
      };
      const before = await server.snapshot();
      for (const [label, token] of Object.entries(tampered)) {
        const request = await server.api.get('/trusted-devices', { token });
        assert.equal(request.status, 401, label);
        assert.equal(request.body.code, 'token_not_valid', label);
        assert.ok(!request.text.includes(token), `${label}: token echoed`);
        const verify = await server.api.post('/api/token/verify', { body: { token } });
        assert.equal(verify.body.code, 'token_not_valid', label);
      }
      assert.deepEqual(await server.snapshot(), before);
      assert.equal((await server.api.get('/trusted-devices', { token: login.access })).status, 200, 'the honest token still works');
    } finally {
      await server.close();
    }
  });
});
