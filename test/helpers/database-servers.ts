import { connect } from 'node:net';

/** The server databases the suite can run on, besides SQLite files. */
export type ServerDatabase = 'postgres' | 'mysql';

/** Where the tests find each server; each test creates its own schema or database inside. */
export const SERVER_URLS: Record<ServerDatabase, string> = {
  postgres: process.env.TD_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
  mysql: process.env.TD_TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test',
};

/** How long a probe waits for a TCP connection, in milliseconds. */
const PROBE_TIMEOUT_MS = 1_000;

/** Resolves true when something accepts TCP connections at the URL's host and port. */
export function isReachable(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname, port: Number(port) });
    const finish = (reachable: boolean) => {
      socket.destroy();
      resolve(reachable);
    };
    socket.setTimeout(PROBE_TIMEOUT_MS, () => finish(false));
    socket.once('connect', () => finish(true));
    socket.once('error', () => finish(false));
  });
}

/**
 * Probes the requested servers once per test process. In CI (`CI=true`) an
 * unreachable server fails the run; elsewhere its targets are skipped with
 * one line saying how to enable them.
 */
export async function reachableServers(requested: readonly ServerDatabase[]): Promise<ServerDatabase[]> {
  const reachable: ServerDatabase[] = [];
  for (const database of requested) {
    if (await isReachable(SERVER_URLS[database])) {
      reachable.push(database);
      continue;
    }
    const where = new URL(SERVER_URLS[database]).host;
    if (process.env.CI === 'true') {
      throw new Error(`The ${database} test server at ${where} is not reachable, and CI=true requires it. Start it, or set TD_TEST_DATABASES to leave it out.`);
    }
    console.warn(
      `# skipping ${database} targets: nothing listens at ${where}. Start the server (or set TD_TEST_${database.toUpperCase()}_URL) to run them; TD_TEST_DATABASES=sqlite hides this line.`,
    );
  }
  return reachable;
}

/** Redis for the notification tests; `TD_TEST_REDIS_URL` overrides it. */
export const REDIS_URL = process.env.TD_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Probes Redis as `reachableServers` probes databases: required in CI, skipped with one line elsewhere. */
export async function reachableRedis(): Promise<boolean> {
  if (await isReachable(REDIS_URL)) return true;
  const where = new URL(REDIS_URL).host;
  if (process.env.CI === 'true') throw new Error(`Redis at ${where} is not reachable, and CI=true requires it. Start it to run the Redis notification tests.`);
  console.warn(`# skipping Redis notification tests: nothing listens at ${where}. Start Redis (or set TD_TEST_REDIS_URL) to run them.`);
  return false;
}
