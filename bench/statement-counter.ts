import type { LogEvent } from 'kysely';

/** Statements executed, by kind. Transaction control (BEGIN, COMMIT, ROLLBACK) is counted apart from reads and writes. */
export interface StatementCounts {
  reads: number;
  writes: number;
  transactions: number;
  other: number;
}

export function emptyCounts(): StatementCounts {
  return { reads: 0, writes: 0, transactions: 0, other: 0 };
}

/** Sorts one SQL statement by its first keyword. */
export function statementKind(sql: string): keyof StatementCounts {
  const keyword = /^\s*\(?\s*([a-z]+)/i.exec(sql)?.[1]?.toLowerCase();
  switch (keyword) {
    case 'select':
    case 'with':
      return 'reads';
    case 'insert':
    case 'update':
    case 'delete':
      return 'writes';
    case 'begin':
    case 'commit':
    case 'rollback':
    case 'savepoint':
    case 'release':
    case 'start':
      return 'transactions';
    default:
      return 'other';
  }
}

/** Counts the statements Kysely runs, through its `log` option. */
export class StatementCounter {
  #counts = emptyCounts();

  /** The function to pass as Kysely's `log` option. */
  readonly log = (event: LogEvent): void => {
    this.#counts[statementKind(event.query.sql)] += 1;
  };

  /** Returns the counts since the last call and starts again from zero. */
  take(): StatementCounts {
    const counts = this.#counts;
    this.#counts = emptyCounts();
    return counts;
  }
}
