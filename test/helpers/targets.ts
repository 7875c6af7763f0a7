/** A framework adapter and a database that the HTTP suite runs against. */
export interface TestTarget {
  adapter: 'express';
  database: 'sqlite';
}

export const DEFAULT_TARGET: TestTarget = { adapter: 'express', database: 'sqlite' };

/**
 * The targets the parametrised HTTP suite runs against. Each suite file loops
 * over these with `describe`, so one test body covers every target.
 */
export function testTargets(): TestTarget[] {
  return [DEFAULT_TARGET];
}

export function targetLabel(target: TestTarget): string {
  return `${target.adapter}, ${target.database}`;
}
