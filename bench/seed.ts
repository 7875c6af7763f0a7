import { randomUUID } from 'node:crypto';

import type { Kysely } from 'kysely';

import type { Database } from '../src/store/database-schema.js';
import { toDeviceRow } from '../src/store/device-row.js';
import type { DeviceRecord } from '../src/store/types.js';
import { newJti } from '../src/tokens/claims.js';
import type { TokenCodec } from '../src/tokens/token-codec.js';

/** Rows per INSERT: 1,000 devices of 16 columns stay below SQLite's and PostgreSQL's limits on bound parameters. */
const INSERT_BATCH_ROWS = 1000;

/** The address autocannon connects from; seeded devices use it so no request looks like a second party. */
export const BENCH_CLIENT_IP = '127.0.0.1';
export const BENCH_USER_AGENT = 'autocannon';

export interface SeedUser {
  id: string;
  username: string;
}

/** Inserts users that all share one password hash, so seeding costs one hash however many users there are. */
export async function insertUsers(db: Kysely<Database>, usernames: string[], passwordHash: string): Promise<SeedUser[]> {
  const users = usernames.map((username) => ({ id: randomUUID(), username }));
  const now = Date.now();
  for (let start = 0; start < users.length; start += INSERT_BATCH_ROWS) {
    const rows = users.slice(start, start + INSERT_BATCH_ROWS).map((user) => ({
      id: user.id,
      username: user.username,
      password_hash: passwordHash,
      is_active: true,
      created_at: now,
    }));
    await db.insertInto('users').values(rows).execute();
  }
  return users;
}

/** A device as a login from the bench client would create it. */
export function benchDevice(userId: string, lastSeen: number): DeviceRecord {
  return {
    deviceUid: randomUUID(),
    userId,
    name: 'Other',
    userAgent: BENCH_USER_AGENT,
    ipAddress: BENCH_CLIENT_IP,
    lastIp: BENCH_CLIENT_IP,
    country: '',
    region: '',
    city: '',
    lastSeen,
    createdAt: lastSeen,
    canUpdateOtherDevices: true,
    canDeleteOtherDevices: true,
    refreshJti: newJti(),
    previousRefreshJti: null,
    refreshIssuedAt: Math.floor(lastSeen / 1000) * 1000,
  };
}

export async function insertDevices(db: Kysely<Database>, devices: DeviceRecord[]): Promise<void> {
  for (let start = 0; start < devices.length; start += INSERT_BATCH_ROWS) {
    await db.insertInto('trusted_devices').values(devices.slice(start, start + INSERT_BATCH_ROWS).map(toDeviceRow)).execute();
  }
}

/** Mints the token pair a login of this device would have returned. */
export function mintFor(codec: TokenCodec, device: DeviceRecord): { access: string; refresh: string } {
  return codec.mintPair({
    userId: device.userId,
    deviceUid: device.deviceUid,
    refreshJti: device.refreshJti,
    issuedAt: Math.floor(device.refreshIssuedAt / 1000),
  });
}
