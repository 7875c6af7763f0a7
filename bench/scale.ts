import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';

import type { Kysely } from 'kysely';

import type { Database } from '../src/store/database-schema.js';
import { DEFAULT_SCRYPT_PARAMS, hashPassword } from '../src/users/password-hash.js';
import type { BenchFramework } from './bench-apps.js';
import { openBenchDatabase, type BenchDatabaseKind } from './database.js';
import { BENCH_PASSWORD, DEVICES_PER_LISTED_USER, range, seedFixtures, type Fixtures } from './fixtures.js';
import { invalidRunReason, runLoad } from './load.js';
import { RefreshPool } from './refresh-pool.js';
import { SCENARIOS, type ScenarioId } from './scenarios.js';
import { benchDevice, insertDevices, insertUsers, mintFor } from './seed.js';
import { BenchServerProcess } from './server-process.js';
import { benchServerEnv, codecFor, measureScenario, type AdapterRun, type LoadSettings } from './speed-run.js';
import { runStatementCounts } from './statement-run.js';

export interface ScaleSettings extends LoadSettings {
  framework: BenchFramework;
  database: BenchDatabaseKind;
}

const SCALE_USERS = 10_000;
/** 10 devices for each of the 10,000 users. */
const SCALE_DEVICES = SCALE_USERS * DEVICES_PER_LISTED_USER;
const STALE_DEVICES = 1_000_000;
/** Distinct users the list and login scenarios cycle through at scale. */
const SCALE_SAMPLE_USERS = 1000;
const CLI_ENTRY = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));
const MiB = 2 ** 20;

/**
 * The scale check: list and login over 100,000 devices of 10,000 users,
 * compared with the same server over the small seeded database; the server's
 * memory with 100,000 devices cached; and `trusted-devices cleanup` of
 * 1,000,000 stale devices. Then the statement counts with 10,000 more users.
 */
export async function runScale(settings: ScaleSettings): Promise<{ report: string; failed: boolean }> {
  const lines: string[] = [`### Scale: ${settings.framework}, ${settings.database}`, ''];
  let failed = false;
  const database = await openBenchDatabase(settings.database);
  try {
    // The device cache keeps entries for an hour here, so the memory check sees all 100,000 at once.
    const env = { ...benchServerEnv(database, settings.framework, randomBytes(48).toString('base64url')), TRUSTED_DEVICES_DEVICE_CACHE_SECONDS: '3600' };
    const codec = codecFor(env);
    const passwordHash = await hashPassword(BENCH_PASSWORD, DEFAULT_SCRYPT_PARAMS);
    const small = await seedFixtures(database.db, codec, passwordHash, 0);

    let started = performance.now();
    const scaleTokens = await seedScaleDevices(database.db, passwordHash, codec);
    lines.push(`Seeded ${SCALE_USERS} users with ${SCALE_DEVICES} devices by bulk INSERT in ${seconds(started)} s.`, '');

    const server = await BenchServerProcess.start(env);
    try {
      const grown: Fixtures = {
        accessTokens: [],
        listTokens: scaleTokens.slice(0, SCALE_SAMPLE_USERS * DEVICES_PER_LISTED_USER).filter((_token, i) => i % DEVICES_PER_LISTED_USER === 0),
        refreshPool: new RefreshPool([]),
        loginUsernames: range(SCALE_SAMPLE_USERS, (i) => `bench-scale-${i}`),
        password: BENCH_PASSWORD,
      };
      const smallRun = newRun(settings, 'small');
      const grownRun = newRun(settings, 'grown');
      for (const id of ['list', 'login'] as const) {
        const scenario = SCENARIOS.find((candidate) => candidate.id === id)!;
        await measureScenario(settings, smallRun, server, scenario, small);
        await measureScenario(settings, grownRun, server, scenario, grown);
      }
      lines.push(
        '| scenario | req/s, 160 seeded devices | req/s, 100,000 more devices | ratio | p99 ms, small | p99 ms, 100,000 |',
        '| --- | ---: | ---: | ---: | ---: | ---: |',
      );
      for (const id of ['list', 'login'] as const) {
        const before = smallRun.results.get(id);
        const after = grownRun.results.get(id);
        if (before === undefined || after === undefined) {
          failed = true;
          lines.push(`| ${id} | rejected: ${smallRun.failures.get(id) ?? grownRun.failures.get(id) ?? 'unknown'} | | | | |`);
          continue;
        }
        lines.push(
          `| ${id} | ${Math.round(before.requestsPerSecond)} | ${Math.round(after.requestsPerSecond)} | ${(after.requestsPerSecond / before.requestsPerSecond).toFixed(2)} | ${before.p99} | ${after.p99} |`,
        );
      }

      const memoryBefore = await server.stats(true);
      started = performance.now();
      const warm = await warmEveryDevice(server, scaleTokens, settings.connections);
      const memoryAfter = await server.stats(true);
      if (warm !== undefined) failed = true;
      lines.push(
        '',
        `Memory of the server before and after one authenticated request from each of the ${SCALE_DEVICES} devices (${seconds(started)} s, device cache kept for an hour; after a full garbage collection): ` +
          `RSS ${mebibytes(memoryBefore.rss)} → ${mebibytes(memoryAfter.rss)} MiB, V8 heap in use ${mebibytes(memoryBefore.heapUsed)} → ${mebibytes(memoryAfter.heapUsed)} MiB` +
          `${warm === undefined ? '' : ` (rejected: ${warm})`}.`,
      );
    } finally {
      await server.stop();
    }

    started = performance.now();
    await seedStaleDevices(database.db);
    lines.push('', `Seeded ${STALE_DEVICES} devices last seen 2 days ago in ${seconds(started)} s.`);
    started = performance.now();
    const cleanup = await runCleanupCommand({ ...process.env, ...env });
    const remaining = await countDevices(database.db);
    lines.push(`\`trusted-devices cleanup\`: ${cleanup.trim()} in ${seconds(started)} s; ${remaining} devices remain.`);
    if (!cleanup.includes(`removed ${STALE_DEVICES} `)) failed = true;
  } finally {
    await database.drop();
  }

  settings.log(`counting statements per request, then again with ${SCALE_USERS} more users and ${SCALE_DEVICES} more devices`);
  const counts = await runStatementCounts({
    framework: settings.framework,
    database: settings.database,
    scenarios: [...SCENARIO_IDS_COUNTED],
    extraUsers: SCALE_USERS,
    log: settings.log,
  });
  lines.push('', counts.report);
  return { report: lines.join('\n'), failed: failed || counts.failed };
}

const SCENARIO_IDS_COUNTED: readonly ScenarioId[] = ['auth', 'auth-no-cache', 'list', 'verify', 'refresh', 'login'];

function newRun(settings: ScaleSettings, _phase: string): AdapterRun {
  return { framework: settings.framework, database: settings.database, results: new Map(), rounds: new Map(), failures: new Map(), scrypt: DEFAULT_SCRYPT_PARAMS };
}

/** Inserts the 10,000 users with 10 devices each; returns an access token for every device, in user order. */
async function seedScaleDevices(db: Kysely<Database>, passwordHash: string, codec: ReturnType<typeof codecFor>): Promise<string[]> {
  const now = Date.now();
  const tokens: string[] = [];
  for (let start = 0; start < SCALE_USERS; start += 1000) {
    const users = await insertUsers(db, range(1000, (i) => `bench-scale-${start + i}`), passwordHash);
    const devices = users.flatMap((user) => range(DEVICES_PER_LISTED_USER, () => benchDevice(user.id, now)));
    await insertDevices(db, devices);
    for (const device of devices) tokens.push(mintFor(codec, device).access);
  }
  return tokens;
}

/** Sends one authenticated request per token, each token once, so every device ends up in the cache. */
async function warmEveryDevice(server: BenchServerProcess, tokens: string[], connections: number): Promise<string | undefined> {
  let next = 0;
  const result = await runLoad({
    baseUrl: server.baseUrl,
    connections,
    durationSeconds: 0,
    amount: tokens.length,
    // Each request misses the cache and reads its device; a busy machine needs more than the default 10 s.
    timeoutSeconds: 60,
    requests: [
      {
        method: 'GET',
        path: '/api/me',
        setupRequest(request) {
          request.headers = { authorization: `Bearer ${tokens[next++ % tokens.length]!}` };
          return request;
        },
      },
    ],
  });
  return invalidRunReason(result);
}

/** Inserts devices of the scale users, all last seen two days ago: older than the one-day refresh lifetime. */
async function seedStaleDevices(db: Kysely<Database>): Promise<void> {
  const users = await db.selectFrom('users').select('id').where('username', 'like', 'bench-scale-%').execute();
  const lastSeen = Date.now() - 2 * 86_400_000;
  for (let start = 0; start < STALE_DEVICES; start += 10_000) {
    await insertDevices(db, range(10_000, (i) => benchDevice(users[(start + i) % users.length]!.id, lastSeen)));
  }
}

/** Runs `trusted-devices cleanup` as an operator would, against the same database; returns its output. */
function runCleanupCommand(env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CLI_ENTRY, 'cleanup'], { env, stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(output) : reject(new Error(`trusted-devices cleanup exited with code ${String(code)}`))));
  });
}

async function countDevices(db: Kysely<Database>): Promise<number> {
  const row = await db.selectFrom('trusted_devices').select((eb) => eb.fn.countAll().as('count')).executeTakeFirstOrThrow();
  return Number(row.count);
}

function seconds(since: number): string {
  return ((performance.now() - since) / 1000).toFixed(1);
}

function mebibytes(bytes: number): number {
  return Math.round(bytes / MiB);
}
