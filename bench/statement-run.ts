import { DEFAULT_SCRYPT_PARAMS, hashPassword } from '../src/users/password-hash.js';
import type { BenchFramework } from './bench-apps.js';
import { openBenchDatabase, type BenchDatabase, type BenchDatabaseKind } from './database.js';
import { BENCH_PASSWORD, DEVICES_PER_LISTED_USER, range, seedFixtures, type Fixtures } from './fixtures.js';
import { invalidRunReason, runLoad } from './load.js';
import { SCENARIOS, type Scenario, type ScenarioId } from './scenarios.js';
import { benchDevice, insertDevices, insertUsers } from './seed.js';
import { BenchServerProcess } from './server-process.js';
import { benchServerEnv, codecFor } from './speed-run.js';
import type { StatementCounts } from './statement-counter.js';

export interface StatementSettings {
  framework: BenchFramework;
  database: BenchDatabaseKind;
  scenarios: ScenarioId[];
  /** Users added between the two counts, each with `DEVICES_PER_LISTED_USER` devices. Default 1,000. */
  extraUsers?: number;
  log: (line: string) => void;
}

/** Statements per request of one scenario, at the seeded size and after the database grew. */
interface ScenarioCounts {
  scenario: Scenario;
  small: StatementCounts | string;
  grown: StatementCounts | string;
}

const COUNT_CONNECTIONS = 4;
const WARMUP_REQUESTS = 20;

/**
 * Counts the statements each scenario runs per request, from Kysely's query
 * log in the server, twice: over the seeded database and after adding
 * `extraUsers` users with 10 devices each. The counts must not grow.
 */
export async function runStatementCounts(settings: StatementSettings): Promise<{ report: string; failed: boolean }> {
  const database = await openBenchDatabase(settings.database);
  try {
    const env = { ...benchServerEnv(database, settings.framework, randomKey()), BENCH_COUNT_STATEMENTS: '1' };
    const selected = SCENARIOS.filter((scenario) => settings.scenarios.includes(scenario.id));
    const refreshTokens = 2 * (SCENARIOS.find((scenario) => scenario.id === 'refresh')!.countedRequests + WARMUP_REQUESTS + COUNT_CONNECTIONS * 2);
    const passwordHash = await hashPassword(BENCH_PASSWORD, DEFAULT_SCRYPT_PARAMS);
    const fixtures = await seedFixtures(database.db, codecFor(env), passwordHash, refreshTokens);

    const servers = {
      default: await BenchServerProcess.start(env),
      'no-device-cache': await BenchServerProcess.start({ ...env, TRUSTED_DEVICES_DEVICE_CACHE_SECONDS: '0' }),
    };
    try {
      settings.log(`counting statements over the seeded database`);
      const small = await countAll(selected, servers, fixtures);
      const extraUsers = settings.extraUsers ?? 1000;
      settings.log(`adding ${extraUsers} users with ${extraUsers * DEVICES_PER_LISTED_USER} devices`);
      await growDatabase(database, extraUsers, passwordHash);
      const grown = await countAll(selected, servers, fixtures);

      const rows = selected.map((scenario) => ({ scenario, small: small.get(scenario.id)!, grown: grown.get(scenario.id)! }));
      return formatCounts(rows, settings, extraUsers);
    } finally {
      await Promise.all([servers.default.stop(), servers['no-device-cache'].stop()]);
    }
  } finally {
    await database.drop();
  }
}

/** Adds users with devices in bulk, as a grown deployment would have. */
export async function growDatabase(database: BenchDatabase, users: number, passwordHash: string): Promise<void> {
  const now = Date.now();
  for (let start = 0; start < users; start += 1000) {
    const batch = await insertUsers(database.db, range(Math.min(1000, users - start), (i) => `bench-extra-${start + i}`), passwordHash);
    await insertDevices(database.db, batch.flatMap((user) => range(DEVICES_PER_LISTED_USER, () => benchDevice(user.id, now))));
  }
}

async function countAll(
  scenarios: Scenario[],
  servers: Record<Scenario['server'], BenchServerProcess>,
  fixtures: Fixtures,
): Promise<Map<ScenarioId, StatementCounts | string>> {
  const counts = new Map<ScenarioId, StatementCounts | string>();
  for (const scenario of scenarios) {
    const server = servers[scenario.server];
    const load = { baseUrl: server.baseUrl, connections: COUNT_CONNECTIONS, durationSeconds: 0, requests: scenario.requests(fixtures) };
    // Every connection starts at the first request, so the warm-up sends each one from each connection to fill the caches.
    const warmupRequests = Math.min(scenario.countedRequests, Math.max(WARMUP_REQUESTS, load.requests.length * COUNT_CONNECTIONS));
    const warmup = await runLoad({ ...load, amount: warmupRequests });
    const warmupProblem = invalidRunReason(warmup);
    if (warmupProblem !== undefined) {
      counts.set(scenario.id, `warm-up: ${warmupProblem}`);
      continue;
    }

    await server.stats();
    const result = await runLoad({ ...load, amount: scenario.countedRequests });
    // Writes the service leaves running after answering, such as a coalesced last_seen, land within this pause.
    await new Promise((resolve) => setTimeout(resolve, 200));
    const statements = (await server.stats()).statements!;
    const problem = invalidRunReason(result);
    counts.set(scenario.id, problem ?? perRequest(statements, result.ok));
  }
  return counts;
}

function perRequest(counts: StatementCounts, requests: number): StatementCounts {
  const divide = (count: number): number => Math.round((count / requests) * 100) / 100;
  return { reads: divide(counts.reads), writes: divide(counts.writes), transactions: divide(counts.transactions), other: divide(counts.other) };
}

function formatCounts(rows: ScenarioCounts[], settings: StatementSettings, extraUsers: number): { report: string; failed: boolean } {
  let failed = false;
  const lines = [
    `### Statements per request: ${settings.framework}, ${settings.database}`,
    '',
    `Reads (SELECT), writes (INSERT, UPDATE, DELETE) and transaction statements (BEGIN, COMMIT), per 2xx response, over the seeded database and again after adding ${extraUsers} users with ${extraUsers * DEVICES_PER_LISTED_USER} devices.`,
    '',
    '| scenario | reads | writes | transaction | reads, grown | writes, grown | transaction, grown | grew? |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
  ];
  for (const row of rows) {
    if (typeof row.small === 'string' || typeof row.grown === 'string') {
      failed = true;
      const reason = typeof row.small === 'string' ? row.small : (row.grown as string);
      lines.push(`| ${row.scenario.title} | rejected: ${reason} | | | | | | |`);
      continue;
    }
    const grew = row.grown.reads > row.small.reads || row.grown.writes > row.small.writes || row.grown.transactions > row.small.transactions;
    if (grew) failed = true;
    lines.push(
      `| ${row.scenario.title} | ${row.small.reads} | ${row.small.writes} | ${row.small.transactions} | ${row.grown.reads} | ${row.grown.writes} | ${row.grown.transactions} | ${grew ? 'yes' : 'no'} |`,
    );
  }
  return { report: lines.join('\n'), failed };
}

function randomKey(): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(48))).toString('base64url');
}
