import type { AuthContext } from '../service/authenticate.js';

/** Bodies of the standalone server's own routes, the same on every framework. */
export const HEALTH_BODY = { status: 'ok' };
export const NOT_FOUND_BODY = { detail: 'Not found.', code: 'not_found' };
export const INTERNAL_ERROR_BODY = { detail: 'Internal server error.', code: 'internal_error' };

/** Returns the body of `/api/me`: the user and device of the token. */
export function meBody(auth: AuthContext) {
  return { user_id: auth.user.id, device_uid: auth.device.deviceUid };
}
