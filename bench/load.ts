import autocannon, { type AutocannonRequest } from 'autocannon';

/** One load run of one scenario. */
export interface LoadOptions {
  baseUrl: string;
  connections: number;
  /** Seconds; ignored when `amount` is set. */
  durationSeconds: number;
  /** Total requests to send instead of running for a duration. */
  amount?: number;
  requests: AutocannonRequest[];
  /** Seconds a request may take before it counts as an error. Default 10. */
  timeoutSeconds?: number;
}

export interface LoadResult {
  requestsPerSecond: number;
  /** Latency percentiles in milliseconds. */
  p50: number;
  p99: number;
  /** Responses with a 2xx status. */
  ok: number;
  /** Responses by status code, every class included. */
  statusCounts: Record<string, number>;
  /** Connection errors and timeouts. */
  errors: number;
  durationSeconds: number;
}

const DEFAULT_TIMEOUT_SECONDS = 10;

/** Drives the server with autocannon and returns the parsed result. */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const result = await autocannon({
    url: options.baseUrl,
    connections: options.connections,
    pipelining: 1,
    timeout: options.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS,
    ...(options.amount === undefined ? { duration: options.durationSeconds } : { amount: options.amount }),
    requests: options.requests,
  });

  const statusCounts: Record<string, number> = {};
  for (const [status, stats] of Object.entries(result.statusCodeStats)) statusCounts[status] = Number(stats.count);
  const ok = Object.entries(statusCounts)
    .filter(([status]) => status.startsWith('2'))
    .reduce((sum, [, count]) => sum + count, 0);
  return {
    // Completed 2xx responses over the run's time, so failed requests never count as throughput.
    requestsPerSecond: ok / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    ok,
    statusCounts,
    errors: result.errors + result.timeouts,
    durationSeconds: result.duration,
  };
}

/**
 * Returns why a run is invalid: any non-2xx response or connection error, or
 * no response at all (allowed for a warm-up shorter than one login's wait). A benchmark that measured error answers would be worthless.
 */
export function invalidRunReason(result: LoadResult, options: { allowNoResponse?: boolean } = {}): string | undefined {
  const failures = Object.entries(result.statusCounts).filter(([status]) => !status.startsWith('2'));
  if (failures.length > 0) return `non-2xx responses: ${failures.map(([status, count]) => `${count}× ${status}`).join(', ')}`;
  if (result.errors > 0) return `${result.errors} connection errors or timeouts`;
  if (result.ok === 0 && options.allowNoResponse !== true) return 'no response';
  return undefined;
}
