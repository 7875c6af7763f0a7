import type { Kysely } from 'kysely';

import type { Database } from '../src/store/database-schema.js';
import type { TokenCodec } from '../src/tokens/token-codec.js';
import { benchDevice, insertDevices, insertUsers, mintFor } from './seed.js';
import { RefreshPool } from './refresh-pool.js';

/** Distinct devices, one per user, whose access tokens the auth, JWT-floor and verify scenarios cycle through. */
const AUTH_DEVICES = 20;
/** Users of the list scenario, each with `DEVICES_PER_LISTED_USER` devices. */
const LIST_USERS = 10;
export const DEVICES_PER_LISTED_USER = 10;
/** Users the login scenario cycles through; logins of one user would pile all new devices on it. */
const LOGIN_USERS = 50;
/** Users that own the refresh pool's devices. */
const REFRESH_USERS = 50;

export const BENCH_PASSWORD = 'bench-password-1234';

/** What the scenarios send: tokens minted for seeded devices, and the login users. */
export interface Fixtures {
  accessTokens: string[];
  /** One access token per listed user. */
  listTokens: string[];
  refreshPool: RefreshPool;
  loginUsernames: string[];
  password: string;
}

/**
 * Seeds the devices and users of every scenario with bulk inserts, and mints
 * their tokens with the server's key. `refreshTokens` is how many single-use
 * refresh tokens the refresh scenario may consume.
 */
export async function seedFixtures(db: Kysely<Database>, codec: TokenCodec, passwordHash: string, refreshTokens: number): Promise<Fixtures> {
  const now = Date.now();
  const authUsers = await insertUsers(db, range(AUTH_DEVICES, (i) => `bench-auth-${i}`), passwordHash);
  const listUsers = await insertUsers(db, range(LIST_USERS, (i) => `bench-list-${i}`), passwordHash);
  const refreshUsers = await insertUsers(db, range(REFRESH_USERS, (i) => `bench-refresh-${i}`), passwordHash);
  const loginUsers = await insertUsers(db, range(LOGIN_USERS, (i) => `bench-login-${i}`), passwordHash);

  const authDevices = authUsers.map((user) => benchDevice(user.id, now));
  const listDevices = listUsers.flatMap((user) => range(DEVICES_PER_LISTED_USER, () => benchDevice(user.id, now)));
  const refreshDevices = range(refreshTokens, (i) => benchDevice(refreshUsers[i % REFRESH_USERS]!.id, now));
  await insertDevices(db, [...authDevices, ...listDevices, ...refreshDevices]);

  return {
    accessTokens: authDevices.map((device) => mintFor(codec, device).access),
    listTokens: listUsers.map((_user, i) => mintFor(codec, listDevices[i * DEVICES_PER_LISTED_USER]!).access),
    refreshPool: new RefreshPool(refreshDevices.map((device) => mintFor(codec, device).refresh)),
    loginUsernames: loginUsers.map((user) => user.username),
    password: BENCH_PASSWORD,
  };
}

export function range<T>(count: number, make: (index: number) => T): T[] {
  return Array.from({ length: count }, (_unused, index) => make(index));
}
