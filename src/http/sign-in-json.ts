import type { SignInPage } from '../service/sign-in-history.js';
import type { SignInRecord } from '../store/types.js';

/** Renders a sign-in for the wire: snake_case, with the time in ISO 8601 UTC. */
export function signInToJson(signIn: SignInRecord, currentDeviceUid: string) {
  return {
    signed_in_at: new Date(signIn.signedInAt).toISOString(),
    outcome: signIn.outcome,
    device_uid: signIn.deviceUid,
    ip_address: signIn.ipAddress,
    country: signIn.country,
    region: signIn.region,
    city: signIn.city,
    user_agent: signIn.userAgent,
    is_current_device: signIn.deviceUid === currentDeviceUid,
  };
}

/** Renders the body of `GET /trusted-devices/history`: `{results, next_cursor}`. */
export function signInPageToJson(page: SignInPage, currentDeviceUid: string) {
  return {
    results: page.signIns.map((signIn) => signInToJson(signIn, currentDeviceUid)),
    next_cursor: page.nextCursor,
  };
}
