import type { Logger } from '../contracts.js';
import type { SqlUserStore } from '../users/sql-user-store.js';

/** The demo account, documented in the README. Only created in demo mode. */
export const DEMO_USERNAME = 'demo';
export const DEMO_PASSWORD = 'demo-password';

export async function seedDemoUser(users: SqlUserStore, logger: Logger): Promise<void> {
  if ((await users.findByUsername(DEMO_USERNAME)) !== undefined) return;
  await users.createUser(DEMO_USERNAME, DEMO_PASSWORD);
  logger.info({ username: DEMO_USERNAME }, 'demo user created; its password is in the README');
}
