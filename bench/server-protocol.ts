import type { StatementCounts } from './statement-counter.js';

/** Messages from the driver to the bench server. */
export type DriverMessage = { type: 'stats'; collectGarbage?: boolean } | { type: 'stop' };

/** Messages from the bench server to the driver. */
export type BenchServerMessage =
  | { type: 'listening'; port: number }
  | {
      type: 'stats';
      /** Statements since the previous `stats` request; absent unless counting is on. */
      statements: StatementCounts | undefined;
      /** Resident set size and V8 heap in use, in bytes. */
      rss: number;
      heapUsed: number;
    };
