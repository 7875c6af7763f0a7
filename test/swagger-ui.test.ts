import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';

import { chromium, type BrowserContext } from 'playwright-core';

import { createTrustedDevices, type TrustedDevices } from '../src/trusted-devices.js';
import { ApiClient } from './helpers/http-client.js';
import { ADAPTERS } from './helpers/targets.js';
import { listenApp, type ListeningApp } from './helpers/test-app.js';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
];

describe('Swagger UI page', { skip: existsSync(CHROMIUM) ? false : `${CHROMIUM} is missing: apt-get install -y chromium` }, () => {
  let td: TrustedDevices;
  let context: BrowserContext;
  let userDataDir: string;

  before(async () => {
    td = await createTrustedDevices({
      signingKey: randomBytes(32).toString('hex'),
      database: ':memory:',
      users: { verifyCredentials: () => Promise.resolve(null), findById: () => Promise.resolve(null) },
    });
    userDataDir = mkdtempSync(join(tmpdir(), 'trusted-devices-chromium-'));
    context = await chromium.launchPersistentContext(userDataDir, { executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  });
  after(async () => {
    await context.close();
    rmSync(userDataDir, { recursive: true, force: true });
    await td.close();
  });

  for (const adapter of ADAPTERS) {
    it(`${adapter} renders every operation from local assets`, async () => {
      const app: ListeningApp = await listenApp(adapter, td, { swaggerUiPath: '/docs' });
      const page = await context.newPage();
      const offHost: string[] = [];
      const errors: string[] = [];
      try {
        await page.route('**/*', (route) => {
          const url = new URL(route.request().url());
          if (url.hostname === '127.0.0.1') return route.continue();
          offHost.push(url.href);
          return route.abort();
        });
        page.on('pageerror', (error) => errors.push(error.message));
        page.on('console', (message) => {
          if (message.type() === 'error' && !message.text().includes('favicon')) errors.push(message.text());
        });

        const response = await page.goto(`${app.baseUrl}/docs`);
        assert.equal(response?.status(), 200);
        assert.match(String(response?.headers()['content-security-policy']), /script-src 'self'/);
        await page.locator('.opblock').nth(10).waitFor({ timeout: 20_000 });

        const operations = await page.locator('.opblock-summary-path').allTextContents();
        const methods = await page.locator('.opblock-summary-method').allTextContents();
        const rendered = operations.map((path, index) => `${methods[index]} ${path.replace(/\u200b/g, '')}`).sort();
        assert.deepEqual(rendered, [
          'DELETE /trusted-devices/{device_uid}',
          'GET /.well-known/jwks.json',
          'GET /trusted-devices',
          'GET /trusted-devices/history',
          'PATCH /trusted-devices/{device_uid}',
          'POST /api/token',
          'POST /api/token/refresh',
          'POST /api/token/verify',
          'POST /trusted-devices/logout',
          'POST /trusted-devices/revoke-all',
          'PUT /trusted-devices/{device_uid}',
        ]);
        assert.equal(await page.locator('.info .title').first().textContent().then((text) => text?.includes('trusted-devices')), true);
        assert.deepEqual(offHost, []);
        assert.deepEqual(errors, []);
      } finally {
        await page.close();
        await app.close();
      }
    });
  }

  it('page links its assets under the mount prefix', async () => {
    const app = await listenApp('express', td, { swaggerUiPath: '/docs' });
    try {
      const api = new ApiClient(app.baseUrl);
      const page = await api.get('/docs/');
      assert.match(page.text, /href="\/docs\/swagger-ui\.css"/);
      assert.match(page.text, /data-openapi-url="\/openapi\.json"/);
      const bundle = await api.get('/docs/swagger-ui-bundle.js');
      assert.equal(bundle.status, 200);
      assert.equal(bundle.headers.get('content-type'), 'text/javascript; charset=utf-8');
      assert.equal((await api.get('/docs/index.html')).status, 404);
    } finally {
      await app.close();
    }
  });
});
