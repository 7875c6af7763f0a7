import type { Logger } from '../contracts.js';
import { StoreUnavailableError, TrustedDevicesError } from '../errors.js';
import type { HttpResponse } from './types.js';

/** Sent with every 401, as simplejwt does, so clients know which scheme to use. */
export const WWW_AUTHENTICATE = 'Bearer realm="api"';

/**
 * Renders any error as `{detail, code}` JSON. Library errors keep their
 * status; anything else is a bug, logged and answered with a generic 500 that
 * reveals nothing.
 */
export function errorResponse(error: unknown, logger: Logger): HttpResponse {
  if (error instanceof TrustedDevicesError) {
    if (error instanceof StoreUnavailableError) logger.error({ err: error.cause }, 'device store unavailable');
    const headers: Record<string, string> = { ...error.headers };
    if (error.status === 401) headers['www-authenticate'] = WWW_AUTHENTICATE;
    const body: Record<string, unknown> = { detail: error.message, code: error.code };
    if (error.fields !== undefined) body.fields = error.fields;
    return { status: error.status, body, headers };
  }
  logger.error({ err: error }, 'unexpected error while handling a request');
  return { status: 500, body: { detail: 'Internal server error.', code: 'internal_error' } };
}
