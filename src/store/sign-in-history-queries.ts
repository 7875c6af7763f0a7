import type { Kysely, Selectable, Transaction } from 'kysely';

import type { GeoLocation } from '../contracts.js';
import type { Database, SignInsTable } from './database-schema.js';
import type { NewSignIn, SignInCursor, SignInOutcome, SignInRecord } from './types.js';

/** Keeps location text within the column width, as on devices. */
const LOCATION_FIELD_MAX_LENGTH = 100;

/** Kysely types the table by its unprefixed name; the prefixed name is the same table. */
export type SignInsTableName = 'trusted_device_sign_ins';

export function signInsTableName(tablePrefix: string): SignInsTableName {
  return `${tablePrefix}trusted_device_sign_ins` as SignInsTableName;
}

/**
 * Appends a sign-in and removes the user's entries older than the retention
 * period, inside the caller's transaction. Pruning one user at a time keeps
 * the delete on the `(user_id, signed_in_at)` index.
 */
export async function insertSignIn(trx: Transaction<Database>, table: SignInsTableName, signIn: NewSignIn): Promise<void> {
  await trx
    .deleteFrom(table)
    .where('user_id', '=', signIn.record.userId)
    .where('signed_in_at', '<', signIn.pruneBefore)
    .execute();
  await trx.insertInto(table).values(toSignInRow(signIn.record)).execute();
}

export async function updateSignInLocation(db: Kysely<Database>, table: SignInsTableName, signInId: string, location: GeoLocation): Promise<void> {
  await db
    .updateTable(table)
    .set({
      country: (location.country ?? '').slice(0, LOCATION_FIELD_MAX_LENGTH),
      region: (location.region ?? '').slice(0, LOCATION_FIELD_MAX_LENGTH),
      city: (location.city ?? '').slice(0, LOCATION_FIELD_MAX_LENGTH),
    })
    .where('id', '=', signInId)
    // Only a location that was never known is filled in; history is not rewritten.
    .where('country', '=', '')
    .where('region', '=', '')
    .where('city', '=', '')
    .execute();
}

export async function selectSignIns(
  db: Kysely<Database>,
  table: SignInsTableName,
  userId: string,
  page: { limit: number; after?: SignInCursor },
): Promise<SignInRecord[]> {
  let query = db.selectFrom(table).selectAll().where('user_id', '=', userId);
  const after = page.after;
  if (after !== undefined) {
    query = query.where((eb) =>
      eb.or([
        eb('signed_in_at', '<', after.signedInAt),
        eb.and([eb('signed_in_at', '=', after.signedInAt), eb('id', '<', after.id)]),
      ]),
    );
  }
  const rows = await query.orderBy('signed_in_at', 'desc').orderBy('id', 'desc').limit(page.limit).execute();
  return rows.map(toSignInRecord);
}

export async function selectSignInCountries(
  db: Kysely<Database>,
  table: SignInsTableName,
  userId: string,
  exceptSignInId: string | undefined,
): Promise<string[]> {
  let query = db
    .selectFrom(table)
    .select('country')
    .distinct()
    .where('user_id', '=', userId)
    .where('outcome', '=', 'success')
    .where('country', '!=', '');
  if (exceptSignInId !== undefined) query = query.where('id', '!=', exceptSignInId);
  const rows = await query.execute();
  return rows.map((row) => row.country);
}

/** Deletes in bounded batches: PostgreSQL has no `DELETE … LIMIT`, so the ids are selected first. */
export async function deleteOldSignIns(db: Kysely<Database>, table: SignInsTableName, signedInBefore: number, limit: number): Promise<number> {
  const rows = await db
    .selectFrom(table)
    .select('id')
    .where('signed_in_at', '<', signedInBefore)
    .orderBy('signed_in_at')
    .limit(limit)
    .execute();
  if (rows.length === 0) return 0;
  const result = await db
    .deleteFrom(table)
    .where('id', 'in', rows.map((row) => row.id))
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

export async function deleteSignInsOfUser(db: Kysely<Database>, table: SignInsTableName, userId: string): Promise<number> {
  const result = await db.deleteFrom(table).where('user_id', '=', userId).executeTakeFirst();
  return Number(result.numDeletedRows);
}

function toSignInRow(record: SignInRecord) {
  return {
    id: record.id,
    user_id: record.userId,
    device_uid: record.deviceUid,
    signed_in_at: record.signedInAt,
    outcome: record.outcome,
    ip_address: record.ipAddress,
    country: record.country.slice(0, LOCATION_FIELD_MAX_LENGTH),
    region: record.region.slice(0, LOCATION_FIELD_MAX_LENGTH),
    city: record.city.slice(0, LOCATION_FIELD_MAX_LENGTH),
    user_agent: record.userAgent,
  };
}

function toSignInRecord(row: Selectable<SignInsTable>): SignInRecord {
  return {
    id: row.id,
    userId: row.user_id,
    deviceUid: row.device_uid,
    signedInAt: Number(row.signed_in_at),
    outcome: row.outcome as SignInOutcome,
    ipAddress: row.ip_address,
    country: row.country,
    region: row.region,
    city: row.city,
    userAgent: row.user_agent,
  };
}
