import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';

import { ERROR_STATUS } from '../src/errors.js';
import { loginBodySchema } from '../src/http/body-schemas.js';
import { toJsonSchema } from '../src/http/json-schemas.js';
import { buildOpenApiDocument } from '../src/http/openapi.js';
import { buildRouteTable } from '../src/http/route-table.js';
import { createTrustedDevices, type TrustedDevices } from '../src/trusted-devices.js';
import { ApiClient } from './helpers/http-client.js';
import { OpenApiConformance } from './helpers/openapi-conformance.js';
import { ADAPTERS } from './helpers/targets.js';
import { listenApp } from './helpers/test-app.js';

const OPERATIONS = [
  'post /api/token',
  'post /api/token/refresh',
  'post /api/token/verify',
  'get /trusted-devices',
  'get /trusted-devices/history',
  'get /.well-known/jwks.json',
  'post /trusted-devices/logout',
  'post /trusted-devices/revoke-all',
  'patch /trusted-devices/{device_uid}',
  'put /trusted-devices/{device_uid}',
  'delete /trusted-devices/{device_uid}',
];

describe('OpenAPI document', () => {
  let td: TrustedDevices;
  let document: any;

  before(async () => {
    td = await createTrustedDevices({
      signingKey: randomBytes(32).toString('hex'),
      database: ':memory:',
      loginFields: { username: 'email', password: 'password' },
      users: { verifyCredentials: () => Promise.resolve(null), findById: () => Promise.resolve(null) },
    });
    document = buildOpenApiDocument(td);
  });
  after(() => td.close());

  it('lists every route once', () => {
    const operations = Object.entries(document.paths).flatMap(([path, item]) => Object.keys(item as object).map((method) => `${method} ${path}`));
    assert.deepEqual(operations.sort(), [...OPERATIONS].sort());
    assert.equal(document.openapi, '3.1.0');
  });

  it('request bodies come from the validating zod schemas', () => {
    const login: any = document.paths['/api/token'].post.requestBody.content['application/json'].schema;
    assert.deepEqual(login.required, ['email', 'password']);
    assert.equal(login.properties.email.maxLength, 150);
    assert.deepEqual(login, toJsonSchema(loginBodySchema({ username: 'email', password: 'password' }), 'input'));
  });

  it('documents every error code', () => {
    const text = JSON.stringify(document);
    for (const code of Object.keys(ERROR_STATUS)) assert.ok(text.includes(`"${code}"`), code);
  });

  it('groups codes under their status', () => {
    const responses = document.paths['/trusted-devices/{device_uid}'].delete.responses;
    for (const [status, response] of Object.entries<any>(responses)) {
      const codes: string[] = response.content?.['application/json'].schema.properties.code.enum ?? [];
      for (const code of codes) assert.equal(ERROR_STATUS[code as keyof typeof ERROR_STATUS], Number(status), code);
    }
    assert.ok(responses['404'].content['application/json'].schema.properties.code.enum.includes('not_found'));
    assert.equal(responses['204'].content, undefined);
  });

  it('protects device routes with the bearer scheme', () => {
    assert.deepEqual(document.components.securitySchemes.bearerAuth, {
      type: 'http',
      scheme: 'bearer',
      bearerFormat: 'JWT',
      description: 'An access token from /api/token.',
    });
    for (const operation of OPERATIONS) {
      const [method, path] = operation.split(' ') as [string, string];
      const entry = document.paths[path][method];
      const expected = path.startsWith('/trusted-devices') ? [{ bearerAuth: [] }] : [];
      assert.deepEqual(entry.security, expected, operation);
      if (path.startsWith('/trusted-devices')) assert.ok(entry.responses['401'].headers['WWW-Authenticate'], operation);
    }
  });

  it('conformance check rejects drift', () => {
    const conformance = new OpenApiConformance(document);
    const device = {
      device_uid: '5f0c9a3e-8d4b-4c1e-9f2a-1b2c3d4e5f60',
      name: 'Phone',
      user_agent: '',
      ip_address: '127.0.0.1',
      last_ip: '127.0.0.1',
      country: '',
      region: '',
      city: '',
      last_seen: '2026-01-15T12:00:00.000Z',
      created_at: '2026-01-15T12:00:00.000Z',
      can_update_other_devices: true,
      can_delete_other_devices: true,
      is_current: true,
    };
    const record = (status: number, body: unknown, method = 'GET', path = '/trusted-devices') => ({ method, path, status, body, text: JSON.stringify(body) });

    assert.deepEqual(conformance.check(record(200, [device])), { checked: true });
    assert.match(conformance.check(record(200, [{ ...device, secret: 1 }])).problem!, /additional properties/);
    assert.match(conformance.check(record(200, [{ ...device, last_seen: 'yesterday' }])).problem!, /date-time/);
    assert.match(conformance.check(record(418, {})).problem!, /status not documented/);
    assert.match(conformance.check(record(401, { detail: 'x', code: 'not_found' })).problem!, /allowed values/);
    assert.match(conformance.check(record(200, {}, 'POST')).problem!, /expected 405/);
    assert.deepEqual(conformance.check(record(405, { detail: 'x', code: 'method_not_allowed' }, 'POST')), { checked: true });
    assert.deepEqual(conformance.check(record(200, {}, 'GET', '/health')), { checked: false });
  });

  it('rejects bad documentation paths', () => {
    const cases: [object, RegExp][] = [
      [{ openApiPath: 'openapi.json' }, /openApiPath/],
      [{ openApiPath: '/docs/' }, /openApiPath/],
      [{ openApiPath: '/trusted-devices/openapi.json' }, /overlaps/],
      [{ openApiPath: false, swaggerUiPath: '/docs' }, /needs the OpenAPI document/],
      [{ openApiPath: '/docs/openapi.json', swaggerUiPath: '/docs' }, /two separate paths/],
      [{ swaggerUiPath: '/a b' }, /swaggerUiPath/],
    ];
    for (const [options, message] of cases) {
      assert.throws(() => buildRouteTable(td, options), (error: unknown) => error instanceof TypeError && message.test(error.message), JSON.stringify(options));
    }
  });

  for (const adapter of ADAPTERS) {
    it(`${adapter} serves it at the configured path`, async () => {
      const app = await listenApp(adapter, td, { openApiPath: '/spec/v1.json' });
      try {
        const api = new ApiClient(app.baseUrl);
        const served = await api.get('/spec/v1.json/');
        assert.equal(served.status, 200);
        assert.deepEqual(served.body, { ...document, servers: [{ url: '/' }] });
        assert.equal((await api.get('/openapi.json')).status, 404);
      } finally {
        await app.close();
      }

      const off = await listenApp(adapter, td, { openApiPath: false });
      try {
        assert.equal((await new ApiClient(off.baseUrl).get('/openapi.json')).status, 404);
      } finally {
        await off.close();
      }
    });
  }
});
