/** Attempts of one transaction, the first included, before its error reaches the caller. */
export const MAX_TRANSACTION_ATTEMPTS = 5;
/** Base of the exponential backoff between attempts, in milliseconds; each wait adds up to as much jitter. */
const RETRY_BASE_DELAY_MS = 5;

/**
 * Runs `attempt` again when it fails with an error `isRetryable` accepts, at
 * most `MAX_TRANSACTION_ATTEMPTS` times in all, waiting a little longer each
 * time so the transactions that collided do not collide again.
 */
export async function retryTransaction<T>(isRetryable: (error: unknown) => boolean, attempt: () => Promise<T>): Promise<T> {
  for (let attemptNumber = 1; ; attemptNumber++) {
    try {
      return await attempt();
    } catch (error) {
      if (attemptNumber >= MAX_TRANSACTION_ATTEMPTS || !isRetryable(error)) throw error;
      const delay = RETRY_BASE_DELAY_MS * 2 ** attemptNumber;
      await new Promise((resolve) => setTimeout(resolve, delay + Math.random() * delay));
    }
  }
}

/** Reads a driver error's string `code` (pg SQLSTATE, mysql2 symbolic code) or numeric `errno`. */
export function errorCodeOf(error: unknown): { code?: unknown; errno?: unknown } {
  return typeof error === 'object' && error !== null ? (error) : {};
}
