import { reachableServers, type ServerDatabase } from './database-servers.js';

/** Frameworks the HTTP suite can run against. */
export const ADAPTERS = ['express', 'fastify', 'hono'] as const;
/** Databases the HTTP suite can run against. */
export const DATABASES = ['sqlite', 'postgres', 'mysql'] as const;

/** A framework adapter and a database that the HTTP suite runs against. */
export interface TestTarget {
  adapter: (typeof ADAPTERS)[number];
  database: (typeof DATABASES)[number];
}

export const DEFAULT_TARGET: TestTarget = { adapter: 'express', database: 'sqlite' };

const selectedAdapters = selectFromEnv('TD_TEST_ADAPTERS', ADAPTERS);
const selectedDatabases = selectFromEnv('TD_TEST_DATABASES', DATABASES);
// Probed once per test process; outside CI an unreachable server is skipped with one line.
const servers = await reachableServers(selectedDatabases.filter((database): database is ServerDatabase => database !== 'sqlite'));

/**
 * Lists the targets the parametrised HTTP suite runs against. Each suite file loops
 * over these with `describe`, so one test body covers every target.
 *
 * Every selected adapter runs over SQLite, and every other selected database
 * runs behind one adapter (Express when selected): the adapters share one
 * store interface, so the full cross product would only repeat tests.
 * `TD_TEST_ADAPTERS=fastify,hono` and `TD_TEST_DATABASES=sqlite,postgres`
 * narrow the selection; both default to all.
 */
export function testTargets(): TestTarget[] {
  const databaseAdapter = selectedAdapters.includes('express') ? 'express' : selectedAdapters[0]!;

  const targets: TestTarget[] = [];
  if (selectedDatabases.includes('sqlite')) {
    for (const adapter of selectedAdapters) targets.push({ adapter, database: 'sqlite' });
  }
  for (const database of servers) targets.push({ adapter: databaseAdapter, database });
  return targets;
}

/** Returns the server databases selected and reachable, for tests that need one. */
export function serverDatabases(): ServerDatabase[] {
  return [...servers];
}

export function targetLabel(target: TestTarget): string {
  return `${target.adapter}, ${target.database}`;
}

/** Reads a comma-separated variable and checks its values against `known`. Returns all of `known` when unset. */
function selectFromEnv<T extends string>(variable: string, known: readonly T[]): T[] {
  const value = process.env[variable];
  if (value === undefined || value.trim() === '') return [...known];

  const selected = value.split(',').map((item) => item.trim()).filter((item) => item !== '');
  const unknown = selected.filter((item) => !(known as readonly string[]).includes(item));
  if (unknown.length > 0 || selected.length === 0) {
    throw new Error(`${variable}=${value}: unknown ${unknown.join(', ')}. Use a comma-separated list of ${known.join(', ')}.`);
  }
  return selected as T[];
}
