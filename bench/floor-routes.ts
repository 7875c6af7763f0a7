import { createVerifier } from 'fast-jwt';

/** Response body of the floor routes, close in size to `/api/me`'s. */
export interface FloorBody {
  status: number;
  body: Record<string, unknown>;
}

/** Path of the route that does no auth at all: the framework's own floor. */
export const BARE_FLOOR_PATH = '/bench/bare';
/** Path of the route that verifies the HS256 access token and nothing more: the floor of any JWT auth. */
export const JWT_FLOOR_PATH = '/bench/jwt';

const BEARER_PREFIX = 'Bearer ';

/** Handles the bare floor route. */
export function bareFloor(): FloorBody {
  return { status: 200, body: { status: 'ok' } };
}

/**
 * Returns the handler of the JWT floor route: fast-jwt's verifier with its
 * cache on, as a hand-written JWT guard would use it, and no device check.
 */
export function jwtFloor(signingKey: string): (authorization: string | undefined) => FloorBody {
  const verify = createVerifier({ key: signingKey, algorithms: ['HS256'], cache: true });
  return (authorization) => {
    if (authorization?.startsWith(BEARER_PREFIX) !== true) {
      return { status: 401, body: { detail: 'Authentication credentials were not provided.', code: 'not_authenticated' } };
    }
    try {
      const claims = verify(authorization.slice(BEARER_PREFIX.length)) as Record<string, unknown>;
      return { status: 200, body: { user_id: claims.user_id, device_uid: claims.device_uid } };
    } catch {
      return { status: 401, body: { detail: 'Given token not valid.', code: 'token_not_valid' } };
    }
  };
}
