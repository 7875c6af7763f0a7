import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import type { ApiResponse, RequestOptions } from './helpers/http-client.js';
import { ADAPTERS } from './helpers/targets.js';
import { startTestServer, type TestServer } from './helpers/test-server.js';

/** Requests whose responses contain no token, id or time, so every adapter must send the same bytes. */
const REQUESTS: [string, string, RequestOptions?][] = [
  ['GET', '/trusted-devices'],
  ['GET', '/trusted-devices', { headers: { authorization: 'Bearer a.b.c' } }],
  ['GET', '/trusted-devices', { headers: { authorization: 'Bearer two tokens' } }],
  ['POST', '/api/token', { body: { username: 'nobody', password: 'wrong password' } }],
  ['POST', '/api/token', { body: { username: '', password: 7, extra: true } }],
  ['POST', '/api/token', { body: ['not', 'an', 'object'] }],
  ['POST', '/api/token', { rawBody: '{', headers: { 'content-type': 'application/json' } }],
  ['POST', '/api/token', { rawBody: '{}', headers: { 'content-type': 'text/csv' } }],
  ['POST', '/api/token/', { rawBody: 'x'.repeat(20_000), headers: { 'content-type': 'application/json' } }],
  ['POST', '/api/token/verify', { body: { token: 'not-a-token' } }],
  ['POST', '/api/token/refresh', { body: { refresh: 'x'.repeat(9000) } }],
  ['GET', '/api/token'],
  ['HEAD', '/api/token/refresh'],
  ['OPTIONS', '/trusted-devices/'],
  ['DELETE', '/trusted-devices/%E0%A4%A'],
  ['GET', '/nothing'],
  ['GET', '/health'],
  ['GET', '/openapi.json'],
];

/** Headers that legitimately differ between runs. */
const VOLATILE_HEADERS = new Set(['date', 'keep-alive']);

function describeResponse(response: ApiResponse) {
  const headers = [...response.headers.entries()].filter(([name]) => !VOLATILE_HEADERS.has(name)).sort();
  return { status: response.status, headers, text: response.text };
}

describe('wire format across adapters', () => {
  const servers = new Map<string, TestServer>();

  before(async () => {
    for (const adapter of ADAPTERS) servers.set(adapter, await startTestServer({ target: { adapter, database: 'sqlite' } }));
  });
  after(async () => {
    for (const server of servers.values()) await server.close();
  });

  it('same status, headers and bytes everywhere', async () => {
    for (const [method, path, options] of REQUESTS) {
      const answers = new Map<string, ReturnType<typeof describeResponse>>();
      for (const [adapter, server] of servers) answers.set(adapter, describeResponse(await server.api.request(method, path, options)));

      const express = answers.get('express')!;
      for (const [adapter, answer] of answers) {
        assert.deepEqual(answer, express, `${method} ${path}: ${adapter} differs from express`);
      }
    }
  });
});
