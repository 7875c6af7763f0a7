import type { Kysely, SelectQueryBuilder, Transaction } from 'kysely';

import type { GeoLocation } from '../contracts.js';
import { StoreUnavailableError, TrustedDevicesError } from '../errors.js';
import type { Database } from './database-schema.js';
import { toDeviceRecord, toDeviceRow, type DeviceRow } from './device-row.js';
import type { DialectCapabilities } from './dialect-capabilities.js';
import {
  deleteOldSignIns,
  deleteSignInsOfUser,
  insertSignIn,
  selectSignInCountries,
  selectSignIns,
  signInsTableName,
  updateSignInLocation,
  type SignInsTableName,
} from './sign-in-history-queries.js';
import type {
  CreateDeviceOptions,
  CreateDeviceResult,
  DevicePatch,
  DeviceRecord,
  NewSignIn,
  RefreshRotation,
  SignInCursor,
  SignInRecord,
  Store,
} from './types.js';

/** Keeps location text within the column width whatever a provider returns. */
const LOCATION_MAX_LENGTH = 100;

/** The `Store` over any Kysely dialect; per-database differences live in `DialectCapabilities`. */
export class KyselyStore implements Store {
  readonly #db: Kysely<Database>;
  readonly #dialect: DialectCapabilities;
  readonly #table: 'trusted_devices';
  readonly #signIns: SignInsTableName;
  readonly #onClose: () => Promise<void>;

  constructor(db: Kysely<Database>, dialect: DialectCapabilities, options: { tablePrefix?: string; onClose?: () => Promise<void> } = {}) {
    this.#db = db;
    this.#dialect = dialect;
    // Kysely types the table by its unprefixed name; the prefixed name is the same table.
    this.#table = `${options.tablePrefix ?? ''}trusted_devices` as 'trusted_devices';
    this.#signIns = signInsTableName(options.tablePrefix ?? '');
    this.#onClose = options.onClose ?? (() => db.destroy());
  }

  createDevice(device: DeviceRecord, options: CreateDeviceOptions): Promise<CreateDeviceResult> {
    return guard(() =>
      this.#dialect.transaction(this.#db, async (trx) => {
        await this.#dialect.lockUser(trx, device.userId);

        const stale = await this.#selectAndDelete(
          trx,
          trx.selectFrom(this.#table).selectAll().where('user_id', '=', device.userId).where('last_seen', '<', options.staleBefore),
        );
        await trx.insertInto(this.#table).values(toDeviceRow(device)).execute();
        if (options.signIn !== undefined) await insertSignIn(trx, this.#signIns, options.signIn);

        let evicted: DeviceRecord[] = [];
        if (options.maxDevicesPerUser !== null) {
          evicted = await this.#selectAndDelete(
            trx,
            trx
              .selectFrom(this.#table)
              .selectAll()
              .where('user_id', '=', device.userId)
              .where('device_uid', '!=', device.deviceUid)
              .orderBy('last_seen', 'desc')
              .orderBy('created_at', 'desc')
              .orderBy('device_uid')
              // The new device is always kept, so the others get one place fewer.
              .limit(1_000_000_000)
              .offset(options.maxDevicesPerUser - 1),
          );
        }
        return { evicted, stale };
      }),
    );
  }

  findDevice(deviceUid: string): Promise<DeviceRecord | undefined> {
    return guard(async () => {
      const row = await this.#db.selectFrom(this.#table).selectAll().where('device_uid', '=', deviceUid).executeTakeFirst();
      return row === undefined ? undefined : toDeviceRecord(row);
    });
  }

  listDevices(userId: string): Promise<DeviceRecord[]> {
    return guard(async () => {
      const rows = await this.#db
        .selectFrom(this.#table)
        .selectAll()
        .where('user_id', '=', userId)
        .orderBy('last_seen', 'desc')
        .orderBy('created_at', 'desc')
        .execute();
      return rows.map(toDeviceRecord);
    });
  }

  updateDevice(userId: string, deviceUid: string, patch: DevicePatch): Promise<DeviceRecord | undefined> {
    return guard(() =>
      this.#dialect.transaction(this.#db, async (trx) => {
        const values: { name?: string; can_update_other_devices?: boolean; can_delete_other_devices?: boolean } = {};
        if (patch.name !== undefined) values.name = patch.name;
        if (patch.canUpdateOtherDevices !== undefined) values.can_update_other_devices = patch.canUpdateOtherDevices;
        if (patch.canDeleteOtherDevices !== undefined) values.can_delete_other_devices = patch.canDeleteOtherDevices;

        if (Object.keys(values).length > 0) {
          await trx.updateTable(this.#table).set(values).where('device_uid', '=', deviceUid).where('user_id', '=', userId).execute();
        }
        const row = await trx
          .selectFrom(this.#table)
          .selectAll()
          .where('device_uid', '=', deviceUid)
          .where('user_id', '=', userId)
          .executeTakeFirst();
        return row === undefined ? undefined : toDeviceRecord(row);
      }),
    );
  }

  deleteDevice(userId: string, deviceUid: string): Promise<DeviceRecord | undefined> {
    return guard(async () => {
      const removed = await this.#dialect.transaction(this.#db, (trx) =>
        this.#selectAndDelete(
          trx,
          trx.selectFrom(this.#table).selectAll().where('device_uid', '=', deviceUid).where('user_id', '=', userId),
        ),
      );
      return removed[0];
    });
  }

  deleteUserDevices(userId: string, filter: { exceptDeviceUid?: string; createdBefore?: number } = {}): Promise<DeviceRecord[]> {
    return guard(() =>
      this.#dialect.transaction(this.#db, async (trx) => {
        await this.#dialect.lockUser(trx, userId);
        let query = trx.selectFrom(this.#table).selectAll().where('user_id', '=', userId);
        if (filter.exceptDeviceUid !== undefined) query = query.where('device_uid', '!=', filter.exceptDeviceUid);
        if (filter.createdBefore !== undefined) query = query.where('created_at', '<', filter.createdBefore);
        return this.#selectAndDelete(trx, query);
      }),
    );
  }

  recordActivity(deviceUid: string, lastSeen: number, lastIp: string): Promise<void> {
    return guard(async () => {
      await this.#db
        .updateTable(this.#table)
        .set({ last_seen: lastSeen, last_ip: lastIp })
        .where('device_uid', '=', deviceUid)
        .execute();
    });
  }

  rotateRefreshJti(deviceUid: string, rotation: RefreshRotation): Promise<boolean> {
    return guard(async () => {
      const result = await this.#db
        .updateTable(this.#table)
        .set({
          refresh_jti: rotation.newJti,
          previous_refresh_jti: rotation.expectedJti,
          refresh_issued_at: rotation.issuedAt,
          last_seen: rotation.lastSeen,
          last_ip: rotation.lastIp,
        })
        .where('device_uid', '=', deviceUid)
        .where('refresh_jti', '=', rotation.expectedJti)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    });
  }

  setLocation(deviceUid: string, location: GeoLocation): Promise<void> {
    return guard(async () => {
      await this.#db
        .updateTable(this.#table)
        .set({
          country: (location.country ?? '').slice(0, LOCATION_MAX_LENGTH),
          region: (location.region ?? '').slice(0, LOCATION_MAX_LENGTH),
          city: (location.city ?? '').slice(0, LOCATION_MAX_LENGTH),
        })
        .where('device_uid', '=', deviceUid)
        .execute();
    });
  }

  recordSignIn(signIn: NewSignIn): Promise<void> {
    return guard(() => this.#dialect.transaction(this.#db, (trx) => insertSignIn(trx, this.#signIns, signIn)));
  }

  setSignInLocation(signInId: string, location: GeoLocation): Promise<void> {
    return guard(() => updateSignInLocation(this.#db, this.#signIns, signInId, location));
  }

  listSignIns(userId: string, page: { limit: number; after?: SignInCursor }): Promise<SignInRecord[]> {
    return guard(() => selectSignIns(this.#db, this.#signIns, userId, page));
  }

  listSignInCountries(userId: string, options: { exceptSignInId?: string } = {}): Promise<string[]> {
    return guard(() => selectSignInCountries(this.#db, this.#signIns, userId, options.exceptSignInId));
  }

  deleteSignInsBefore(signedInBefore: number, limit: number): Promise<number> {
    return guard(() => deleteOldSignIns(this.#db, this.#signIns, signedInBefore, limit));
  }

  deleteUserSignIns(userId: string): Promise<number> {
    return guard(() => deleteSignInsOfUser(this.#db, this.#signIns, userId));
  }

  deleteStaleDevices(seenBefore: number, limit: number): Promise<DeviceRecord[]> {
    return guard(() =>
      this.#dialect.transaction(this.#db, (trx) =>
        this.#selectAndDelete(
          trx,
          trx.selectFrom(this.#table).selectAll().where('last_seen', '<', seenBefore).orderBy('last_seen').limit(limit),
        ),
      ),
    );
  }

  countStaleDevices(seenBefore: number): Promise<number> {
    return guard(async () => {
      const row = await this.#db
        .selectFrom(this.#table)
        .select((eb) => eb.fn.countAll().as('count'))
        .where('last_seen', '<', seenBefore)
        .executeTakeFirstOrThrow();
      return Number(row.count);
    });
  }

  close(): Promise<void> {
    return this.#onClose();
  }

  /**
   * Reads the rows a query selects, then deletes exactly those, inside the
   * caller's transaction. Where the database has row locks the rows are
   * selected FOR UPDATE. So of two transactions removing the same device,
   * only the first returns it, and the second finds it gone.
   */
  async #selectAndDelete(trx: Transaction<Database>, query: SelectQueryBuilder<Database, 'trusted_devices', DeviceRow>): Promise<DeviceRecord[]> {
    const rows = await (this.#dialect.rowLocks ? query.forUpdate() : query).execute();
    if (rows.length === 0) return [];
    const ids = rows.map((row) => row.device_uid);
    await trx.deleteFrom(this.#table).where('device_uid', 'in', ids).execute();
    return rows.map(toDeviceRecord);
  }
}

/** Turns a driver failure into `StoreUnavailableError` so clients get 503, never 500. */
async function guard<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    if (error instanceof TrustedDevicesError) throw error;
    throw new StoreUnavailableError(error);
  }
}
