import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';

import { pino } from 'pino';

import type { ApiOptions } from '../http/route-table.js';
import { FRAMEWORKS, listenFramework, type Framework, type ListeningServer } from './listen.js';
import { openRuntime } from './runtime.js';
import { seedDemoUser } from './demo-user.js';

const DEFAULT_PORT = 3000;
const DEFAULT_HOST = '127.0.0.1';
const DEFAULT_SWAGGER_UI_PATH = '/docs';
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
  const framework = readFramework(argv, env);
  if (framework === undefined) {
    logger.fatal({ framework: frameworkSetting(argv, env) }, `invalid framework: use one of ${FRAMEWORKS.join(', ')}`);
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

  let listening: ListeningServer;
  try {
    listening = await listenFramework(framework, runtime.td, { port, host, api: readApiOptions(env) });
  } catch (error) {
    logger.fatal({ err: error }, 'server could not listen');
    await runtime.close();
    return 1;
  }
  const server = listening.server;
  const address = server.address() as AddressInfo;
  logger.info({ host: address.address, port: address.port, framework, database: runtime.databasePath, demo }, 'server started');

  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
  logger.info({ signal }, 'server stopping');
  const timer = setTimeout(() => server.closeAllConnections(), SHUTDOWN_TIMEOUT_MS);
  server.closeIdleConnections();
  await listening.close();
  clearTimeout(timer);
  await runtime.close();
  logger.info('server stopped');
  return 0;
}

/** `--framework NAME` (or `--framework=NAME`), else `TRUSTED_DEVICES_FRAMEWORK`, else Express. */
function frameworkSetting(argv: string[], env: NodeJS.ProcessEnv): string {
  const index = argv.indexOf('--framework');
  if (index !== -1) return argv[index + 1] ?? '';
  const inline = argv.find((arg) => arg.startsWith('--framework='));
  if (inline !== undefined) return inline.slice('--framework='.length);
  return env.TRUSTED_DEVICES_FRAMEWORK ?? FRAMEWORKS[0];
}

function readFramework(argv: string[], env: NodeJS.ProcessEnv): Framework | undefined {
  const setting = frameworkSetting(argv, env);
  return FRAMEWORKS.find((framework) => framework === setting);
}

/** Reads the paths of the OpenAPI document and Swagger UI page. `off` turns either off. */
function readApiOptions(env: NodeJS.ProcessEnv): ApiOptions {
  const path = (value: string | undefined, fallback: string | undefined) => (value === 'off' ? false : (value ?? fallback));
  const openApiPath = path(env.TRUSTED_DEVICES_OPENAPI_PATH, undefined);
  return {
    openApiPath,
    swaggerUiPath: openApiPath === false ? false : path(env.TRUSTED_DEVICES_SWAGGER_UI_PATH, DEFAULT_SWAGGER_UI_PATH),
  };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await serve(process.argv.slice(2), process.env);
}
