import { randomUUID } from 'node:crypto';

import type { GeoLocation, User } from '../contracts.js';
import { TrustedDevicesError } from '../errors.js';
import { USER_AGENT_MAX_LENGTH } from '../net/device-name.js';
import type { NewSignIn, SignInCursor, SignInOutcome, SignInRecord } from '../store/types.js';
import { runInBackground } from './background-tasks.js';
import type { ClientInfo, ServiceContext } from './context.js';

export const DEFAULT_SIGN_IN_PAGE_SIZE = 20;
export const MAX_SIGN_IN_PAGE_SIZE = 100;
const DAY_MS = 24 * 60 * 60 * 1000;

export interface SignInPageRequest {
  /** Entries per page, 1 to 100. Default 20. */
  limit?: number;
  /** `nextCursor` of the previous page; omit for the newest entries. */
  cursor?: string;
}

export interface SignInPage {
  signIns: SignInRecord[];
  /** Pass as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
}

/** Builds a sign-in entry as it is first written, with the retention cut-off for the user's older entries. */
export function newSignIn(
  context: ServiceContext,
  fields: { userId: string; deviceUid: string | null; outcome: SignInOutcome; client: ClientInfo; location: GeoLocation; now: number },
): NewSignIn {
  return {
    record: {
      id: randomUUID(),
      userId: fields.userId,
      deviceUid: fields.deviceUid,
      signedInAt: fields.now,
      outcome: fields.outcome,
      ipAddress: fields.client.ip,
      country: fields.location.country ?? '',
      region: fields.location.region ?? '',
      city: fields.location.city ?? '',
      userAgent: fields.client.userAgent.slice(0, USER_AGENT_MAX_LENGTH),
    },
    pruneBefore: fields.now - context.config.signInHistoryDays * DAY_MS,
  };
}

/**
 * Records a rejected sign-in in the background, so the rejection takes the
 * same time whether or not the username exists. The entry belongs to the
 * user the username names: the user an inactive account's credentials
 * matched, or the one `UserAdapter.findByUsername` finds. Without either,
 * nothing is recorded.
 */
export function recordRejectedSignIn(context: ServiceContext, username: string, inactiveUser: User | null, client: ClientInfo): void {
  runInBackground(context, 'recording a rejected sign-in', async () => {
    const userId = inactiveUser?.id ?? (await context.users.findByUsername?.(username))?.id;
    if (userId === undefined) return;

    const result = await context.geolocation?.locate(client.ip);
    const outcome: SignInOutcome = inactiveUser === null ? 'failed-credentials' : 'inactive-account';
    const now = context.clock();
    await context.store.recordSignIn(newSignIn(context, { userId, deviceUid: null, outcome, client, location: result?.location ?? {}, now }));
  });
}

/**
 * Returns one page of a user's sign-in history, newest first. Throws
 * `invalid` for a limit outside 1 to 100 or a cursor that no page returned.
 */
export async function listSignIns(context: ServiceContext, userId: string, request: SignInPageRequest = {}): Promise<SignInPage> {
  const limit = request.limit ?? DEFAULT_SIGN_IN_PAGE_SIZE;
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_SIGN_IN_PAGE_SIZE) {
    throw new TrustedDevicesError('invalid', `Invalid limit: use a whole number from 1 to ${MAX_SIGN_IN_PAGE_SIZE}.`, {
      fields: { limit: [`Ensure this value is a whole number from 1 to ${MAX_SIGN_IN_PAGE_SIZE}.`] },
    });
  }
  const after = request.cursor === undefined ? undefined : decodeCursor(request.cursor);

  // One extra row shows whether another page follows.
  const rows = await context.store.listSignIns(userId, { limit: limit + 1, ...(after === undefined ? {} : { after }) });
  const signIns = rows.slice(0, limit);
  const last = signIns.at(-1);
  return { signIns, nextCursor: rows.length > limit && last !== undefined ? encodeCursor(last) : null };
}

/** Removes sign-ins older than the retention period, of every user, in batches. Returns how many were removed. */
export async function pruneSignInHistory(context: ServiceContext, batchSize: number): Promise<number> {
  const before = context.clock() - context.config.signInHistoryDays * DAY_MS;
  let removed = 0;
  for (;;) {
    const count = await context.store.deleteSignInsBefore(before, batchSize);
    removed += count;
    if (count < batchSize) return removed;
  }
}

/** Encodes a cursor, opaque to clients: base64url of `<signed_in_at ms>.<id>`. */
function encodeCursor(record: SignInRecord): string {
  return Buffer.from(`${record.signedInAt}.${record.id}`).toString('base64url');
}

const CURSOR_PATTERN = /^(\d{1,15})\.([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;

function decodeCursor(cursor: string): SignInCursor {
  const decoded = /^[A-Za-z0-9_-]{1,128}$/.test(cursor) ? Buffer.from(cursor, 'base64url').toString('utf8') : '';
  const match = CURSOR_PATTERN.exec(decoded);
  if (match === null) {
    throw new TrustedDevicesError('invalid', 'Invalid cursor: pass the next_cursor value of a previous page, unchanged.', {
      fields: { cursor: ['Invalid cursor.'] },
    });
  }
  return { signedInAt: Number(match[1]), id: match[2]! };
}
