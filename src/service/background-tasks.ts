import type { ServiceContext } from './context.js';

/**
 * Runs work after the response has been sent, such as filling in a location
 * that arrived after the login's budget. A failure is logged, never thrown:
 * the request that started it has already succeeded.
 */
export function runInBackground(context: ServiceContext, description: string, work: () => Promise<void>): void {
  const task: Promise<void> = work()
    .catch((error: unknown) => {
      context.logger.error({ err: error }, `${description} failed`);
    })
    .finally(() => {
      context.backgroundTasks.delete(task);
    });
  context.backgroundTasks.add(task);
}

/** Waits until no background work is left, including work started while waiting. */
export async function settleBackgroundTasks(context: ServiceContext): Promise<void> {
  while (context.backgroundTasks.size > 0) {
    await Promise.allSettled([...context.backgroundTasks]);
  }
}
