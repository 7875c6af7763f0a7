import { verifyPassword } from '../src/users/password-hash.js';

/**
 * Measures how many password checks per second this process completes with
 * `concurrency` of them in flight, the way concurrent logins queue on libuv's
 * thread pool. This is the ceiling of the login route.
 */
export async function measureHashRate(password: string, storedHash: string, concurrency: number, durationSeconds: number): Promise<number> {
  const started = performance.now();
  const deadline = started + durationSeconds * 1000;
  let completed = 0;

  const worker = async (): Promise<void> => {
    while (performance.now() < deadline) {
      if (!(await verifyPassword(password, storedHash))) throw new Error('The stored hash does not match the bench password.');
      completed += 1;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return completed / ((performance.now() - started) / 1000);
}
