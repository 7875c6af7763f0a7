import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';

import { DEFAULT_TARGET, targetLabel, testTargets, type TestTarget } from './helpers/targets.js';
import { startTestServer, type TestOptions, type TestServer } from './helpers/test-server.js';

const A = '198.51.100.7';
const B = '203.0.113.42';

/**
 * Logs in from A, then sends one authenticated request from each address in
 * turn, `gapMs` apart. Returns the statuses and the server for more checks.
 */
async function replay(options: TestOptions, addresses: string[], gapMs = 5_000): Promise<{ statuses: number[]; codes: unknown[]; server: TestServer }> {
  const server = await startTestServer({ target: activeTarget, trustProxy: true, ...options });
  await server.createUser('alice');
  const login = await server.login('alice', { 'x-forwarded-for': A });

  const statuses: number[] = [];
  const codes: unknown[] = [];
  for (const address of addresses) {
    server.clock.advance(gapMs);
    const response = await server.api.get('/trusted-devices', { token: login.access, headers: { 'x-forwarded-for': address } });
    statuses.push(response.status);
    codes.push(response.body?.code);
  }
  return { statuses, codes, server };
}

async function check(options: TestOptions, addresses: string[], expected: number[], gapMs?: number): Promise<TestServer> {
  const { statuses, codes, server } = await replay(options, addresses, gapMs);
  try {
    assert.deepEqual(statuses, expected);
    if (expected.includes(401)) assert.equal(codes.at(-1), 'device_compromised');
    return server;
  } catch (error) {
    await server.close();
    throw error;
  }
}


// Set by each target's `before` hook; the suites below run one target at a time.
let activeTarget: TestTarget = DEFAULT_TARGET;

for (const target of testTargets()) {
  describe(`on ${targetLabel(target)}`, () => {
    before(() => {
      activeTarget = target;
    });

    describe('hijack detection', () => {
      it('roaming A,B,B,B keeps the device by default', async () => {
        const server = await check({}, [A, B, B, B], [200, 200, 200, 200]);
        assert.equal(server.events.deviceCompromised.length, 0);
        await server.close();
      });

      it("roaming A,B,B,B revokes in 'ip-change'", async () => {
        const server = await check({ concurrentSessionMode: 'ip-change' }, [A, B], [200, 401]);
        assert.deepEqual(
          server.events.deviceCompromised.map((event) => [event.previousIp, event.currentIp, event.detectedOn]),
          [[A, B, 'request']],
        );
        assert.deepEqual(await server.snapshot(), []);
        await server.close();
      });

      it('alternating A,B,A,B revokes by default', async () => {
        const server = await check({}, [A, B, A, B], [200, 200, 200, 401]);
        assert.deepEqual(
          server.events.deviceCompromised.map((event) => [event.previousIp, event.currentIp]),
          [[A, B]],
        );
        assert.deepEqual(server.events.deviceRevoked.map((event) => event.reason), ['compromised']);
        assert.deepEqual(await server.snapshot(), []);
        await server.close();
      });

      it("alternating A,B,A,B revokes in 'ip-change'", async () => {
        const { statuses, codes, server } = await replay({ concurrentSessionMode: 'ip-change' }, [A, B, A, B]);
        try {
          assert.deepEqual(statuses, [200, 401, 401, 401]);
          assert.deepEqual(codes, [undefined, 'device_compromised', 'device_not_recognized', 'device_not_recognized']);
          assert.equal(server.events.deviceCompromised.length, 1);
        } finally {
          await server.close();
        }
      });

      it('switches spread beyond the window keep the device', async () => {
        // Switches at 30 s, 60 s and 90 s: never three within 60 s.
        const server = await check({}, [B, A, B, A], [200, 200, 200, 200], 30_000);
        await server.close();
      });

      it('alternations and window are configurable', async () => {
        const strict = await check({ concurrentSessionAlternations: 2 }, [A, B, A], [200, 200, 401]);
        await strict.close();
        const wide = await check({ concurrentSessionWindowSeconds: 120 }, [B, A, B], [200, 200, 401], 50_000);
        await wide.close();
      });

      it('a third address starts a new count', async () => {
        const C = '192.0.2.99';
        const server = await check({}, [B, C, B, A, B], [200, 200, 200, 200, 200]);
        await server.close();
      });

      it('detectConcurrentSessions false turns both modes off', async () => {
        for (const mode of ['alternating', 'ip-change'] as const) {
          const server = await check({ detectConcurrentSessions: false, concurrentSessionMode: mode }, [B, A, B, A], [200, 200, 200, 200]);
          await server.close();
        }
      });
    });
  });
}
