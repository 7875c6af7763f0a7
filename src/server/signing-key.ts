import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Returns the signing key from `TRUSTED_DEVICES_SIGNING_KEY`. In demo mode
 * without one, reads or creates `<dataDir>/demo-signing-key` (mode 0600), so
 * tokens survive restarts. Throws when neither applies.
 */
export function loadSigningKey(env: NodeJS.ProcessEnv, dataDir: string, demo: boolean): { key: string; source: 'environment' | 'demo-file' } {
  const fromEnv = env.TRUSTED_DEVICES_SIGNING_KEY;
  if (fromEnv !== undefined && fromEnv !== '') return { key: fromEnv, source: 'environment' };
  if (!demo) {
    throw new Error(
      'No signing key: set TRUSTED_DEVICES_SIGNING_KEY to a random secret of at least 32 bytes ' +
        '(for example `openssl rand -base64 48`), or start in demo mode with --demo to generate one.',
    );
  }

  const path = join(dataDir, 'demo-signing-key');
  try {
    return { key: readFileSync(path, 'utf8').trim(), source: 'demo-file' };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  mkdirSync(dataDir, { recursive: true });
  const key = randomBytes(48).toString('base64url');
  writeFileSync(path, `${key}\n`, { mode: 0o600, flag: 'wx' });
  return { key, source: 'demo-file' };
}
