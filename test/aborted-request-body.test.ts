import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';

import { RecordingLogger } from './helpers/recording-logger.js';
import { targetLabel, testTargets } from './helpers/targets.js';
import { startTestServer, type TestServer } from './helpers/test-server.js';

/** Sends the headers and the start of a body, then closes the connection before the rest arrives. */
async function sendTruncatedLogin(baseUrl: string): Promise<void> {
  const { hostname, port } = new URL(baseUrl);
  const socket = connect(Number(port), hostname);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  socket.write('POST /api/token HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"user');
  // Flush the start of the body first, so the server has a request in progress when the connection closes.
  await new Promise<void>((resolve) => socket.write('name"', () => resolve()));
  socket.destroy();
}

async function waitForEntry(logger: RecordingLogger): Promise<void> {
  while (logger.entries.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
}

for (const target of testTargets()) describe(`aborted request body (${targetLabel(target)})`, () => {
  let server: TestServer;
  const logger = new RecordingLogger();

  before(async () => {
    server = await startTestServer({ target, logger });
  });
  after(() => server.close());

  it('logs a rejected login at info level', async () => {
    const before = await server.snapshot();
    await sendTruncatedLogin(server.api.baseUrl);
    await waitForEntry(logger);

    assert.deepEqual(
      logger.entries.map((entry) => [entry.level, entry.message, entry.fields.code]),
      [['info', 'login rejected', 'invalid']],
    );
    assert.deepEqual(await server.snapshot(), before);
  });
});
