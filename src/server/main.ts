import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';

import { pino } from 'pino';

import { createApp } from './app.js';
import { openRuntime } from './runtime.js';
import { seedDemoUser } from './demo-user.js';

const DEFAULT_PORT = 3000;
const DEFAULT_HOST = '127.0.0.1';
/** Maximum time a shutdown waits for open requests before closing their connections. */
const SHUTDOWN_TIMEOUT_MS = 10_000;

/**
 * Starts the standalone server. Returns the process exit code; only the
 * entry point below calls `process.exit`.
 */
export async function serve(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const logger = pino({
    level: env.TRUSTED_DEVICES_LOG_LEVEL ?? 'info',
    redact: ['*.password', '*.token', '*.refresh', '*.access', '*.authorization', '*.signingKey', '*.verificationKeys'],
  });
  const demo = argv.includes('--demo') || env.TRUSTED_DEVICES_DEMO === '1';
  const port = Number(env.PORT ?? DEFAULT_PORT);
  const host = env.HOST ?? DEFAULT_HOST;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    logger.fatal({ port: env.PORT }, 'invalid PORT: use a whole number from 0 to 65535');
    return 1;
  }

  let runtime;
  try {
    runtime = await openRuntime({ env, logger, demo, requireSigningKey: true, serveLogins: true });
  } catch (error) {
    logger.fatal({ err: error instanceof Error ? error.message : String(error) }, 'server did not start');
    return 1;
  }
  if (demo) await seedDemoUser(runtime.users, logger);

  const server = createApp(runtime.td).listen(port, host);
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  }).catch((error: unknown) => {
    logger.fatal({ err: error }, 'server could not listen');
  });
  if (!server.listening) {
    await runtime.close();
    return 1;
  }
  const address = server.address() as AddressInfo;
  logger.info({ host: address.address, port: address.port, database: runtime.databasePath, demo }, 'server started');

  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
  logger.info({ signal }, 'server stopping');
  const timer = setTimeout(() => server.closeAllConnections(), SHUTDOWN_TIMEOUT_MS);
  server.closeIdleConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  clearTimeout(timer);
  await runtime.close();
  logger.info('server stopped');
  return 0;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await serve(process.argv.slice(2), process.env);
}
