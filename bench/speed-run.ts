import { randomBytes } from 'node:crypto';

import { parseOptions } from '../src/config/parse.js';
import { readEnvOptions } from '../src/server/env-options.js';
import { TokenCodec } from '../src/tokens/token-codec.js';
import { DEFAULT_SCRYPT_PARAMS, hashPassword, type ScryptParams } from '../src/users/password-hash.js';
import type { BenchFramework } from './bench-apps.js';
import { openBenchDatabase, type BenchDatabase, type BenchDatabaseKind } from './database.js';
import { BENCH_PASSWORD, seedFixtures, type Fixtures } from './fixtures.js';
import { measureHashRate } from './hash-rate.js';
import { invalidRunReason, runLoad, type LoadResult } from './load.js';
import { SCENARIOS, type Scenario, type ScenarioId } from './scenarios.js';
import { BenchServerProcess } from './server-process.js';

/** How hard and how long each scenario is driven. */
export interface LoadSettings {
  connections: number;
  durationSeconds: number;
  warmupSeconds: number;
  log: (line: string) => void;
}

export interface SpeedSettings extends LoadSettings {
  frameworks: BenchFramework[];
  /**
   * Times each scenario runs, interleaved with the others on the same server
   * (bare, jwt, auth, …, bare, jwt, auth, …), so a burst of other work on the
   * machine lands on every scenario alike. Default 1. Login runs once.
   */
  rounds?: number;
  database: BenchDatabaseKind;
  scenarios: ScenarioId[];
  /** Write a V8 CPU profile of each bench server into this folder. */
  cpuProfileDir?: string;
}

/** The measurements of one framework over one database. */
export interface AdapterRun {
  framework: BenchFramework;
  database: BenchDatabaseKind;
  /** The round of median rate of each scenario. */
  results: Map<ScenarioId, LoadResult>;
  /** Every round of each scenario, in order; ratios are taken round by round. */
  rounds: Map<ScenarioId, LoadResult[]>;
  /** Why a scenario's run was rejected, such as non-2xx responses. */
  failures: Map<ScenarioId, string>;
  /** Password checks per second with the login's scrypt parameters, in the driver process. */
  hashRate?: number;
  scrypt: ScryptParams;
}

/** Settings every bench server gets on top of its database: a long access token lifetime so tokens minted at seeding outlive the run, and no login throttle. */
export function benchServerEnv(database: BenchDatabase, framework: BenchFramework, signingKey: string): Record<string, string> {
  return {
    ...database.serverEnv,
    TRUSTED_DEVICES_SIGNING_KEY: signingKey,
    TRUSTED_DEVICES_ACCESS_TOKEN_LIFETIME: '2h',
    TRUSTED_DEVICES_FRAMEWORK: framework,
    TRUSTED_DEVICES_LOG_LEVEL: 'warn',
    // Every request comes from 127.0.0.1, which the login throttle would stop after a few logins.
    TRUSTED_DEVICES_LOGIN_THROTTLE: 'false',
  };
}

/** The token codec the server builds from the same environment, for minting the fixtures' tokens. */
export function codecFor(env: Record<string, string>): TokenCodec {
  return new TokenCodec(parseOptions({ ...readEnvOptions(env), signingKey: env.TRUSTED_DEVICES_SIGNING_KEY! }));
}

/** Runs the selected scenarios on every selected framework, each after a warm-up of the same requests. */
export async function runSpeed(settings: SpeedSettings): Promise<AdapterRun[]> {
  const passwordHash = await hashPassword(BENCH_PASSWORD, DEFAULT_SCRYPT_PARAMS);
  const runs: AdapterRun[] = [];
  for (const framework of settings.frameworks) {
    runs.push(await runFramework(settings, framework, passwordHash));
  }
  return runs;
}

async function runFramework(settings: SpeedSettings, framework: BenchFramework, passwordHash: string): Promise<AdapterRun> {
  const run: AdapterRun = { framework, database: settings.database, results: new Map(), rounds: new Map(), failures: new Map(), scrypt: DEFAULT_SCRYPT_PARAMS };
  const database = await openBenchDatabase(settings.database);
  try {
    const env = benchServerEnv(database, framework, randomBytes(48).toString('base64url'));
    // Each load run of the refresh scenario strands at most one token per connection, in flight when it
    // stops. Each round has a warm-up and a measured run, plus one single request that the spare tokens cover.
    const refreshTokens = settings.connections * (2 * (settings.rounds ?? 1) + 2);
    const fixtures = await seedFixtures(database.db, codecFor(env), passwordHash, refreshTokens);

    const selected = SCENARIOS.filter((scenario) => settings.scenarios.includes(scenario.id));
    for (const serverKind of ['default', 'no-device-cache'] as const) {
      const scenarios = selected.filter((scenario) => scenario.server === serverKind);
      if (scenarios.length === 0) continue;
      const serverEnv = serverKind === 'default' ? env : { ...env, TRUSTED_DEVICES_DEVICE_CACHE_SECONDS: '0' };
      const server = await BenchServerProcess.start(serverEnv, settings.cpuProfileDir);
      try {
        const rounds = settings.rounds ?? 1;
        for (let round = 1; round <= rounds; round++) {
          for (const scenario of scenarios) {
            // Login runs once, in the last round: the password hashes it leaves queued would slow whatever followed.
            if (scenario.id === 'login' ? round !== rounds : round > 1 && run.failures.has(scenario.id)) continue;
            await measureScenario(settings, run, server, scenario, fixtures);
          }
        }
      } finally {
        await server.stop();
      }
    }

    const login = selected.find((scenario) => scenario.id === 'login');
    if (login !== undefined) {
      const durationSeconds = Math.max(settings.durationSeconds, login.minDurationSeconds ?? 0);
      settings.log(`${framework}: password hash alone, ${durationSeconds} s at ${settings.connections} in flight`);
      run.hashRate = await measureHashRate(BENCH_PASSWORD, passwordHash, settings.connections, durationSeconds);
    }
  } finally {
    await database.drop();
  }
  return run;
}

export async function measureScenario(settings: LoadSettings, run: AdapterRun, server: BenchServerProcess, scenario: Scenario, fixtures: Fixtures): Promise<void> {
  const requests = scenario.requests(fixtures);
  const load = { baseUrl: server.baseUrl, connections: settings.connections, requests, timeoutSeconds: scenario.timeoutSeconds };
  const durationSeconds = Math.max(settings.durationSeconds, scenario.minDurationSeconds ?? 0);
  settings.log(`${run.framework}, ${run.database}: ${scenario.id}: warm-up ${settings.warmupSeconds} s, then ${durationSeconds} s at ${settings.connections} connections`);

  const warmup = await runLoad({ ...load, durationSeconds: settings.warmupSeconds });
  const warmupProblem = invalidRunReason(warmup, { allowNoResponse: true });
  if (warmupProblem !== undefined) {
    run.failures.set(scenario.id, `warm-up: ${warmupProblem}`);
    run.results.delete(scenario.id);
    return;
  }
  // Requests cut off when the warm-up stopped may still hold the server (queued password hashes do); one
  // more request waits behind them, so the measured run starts on an idle server.
  await runLoad({ ...load, connections: 1, amount: 1, durationSeconds: 0 });

  const result = await runLoad({ ...load, durationSeconds });
  const problem = invalidRunReason(result);
  if (problem !== undefined) {
    run.failures.set(scenario.id, problem);
    run.results.delete(scenario.id);
    return;
  }
  const rounds = [...(run.rounds.get(scenario.id) ?? []), result];
  run.rounds.set(scenario.id, rounds);
  run.results.set(scenario.id, medianBy(rounds, (round) => round.requestsPerSecond));
}

/** The middle item by `value`; of two middle items, the lower. */
export function medianBy<T>(items: readonly T[], value: (item: T) => number): T {
  const sorted = [...items].sort((a, b) => value(a) - value(b));
  return sorted[Math.floor((sorted.length - 1) / 2)]!;
}
