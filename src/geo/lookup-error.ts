/** Why a provider lookup failed. Each reason is logged once per provider. */
export type GeoLookupFailure =
  | 'timeout'
  | 'rate-limited'
  | 'backing-off'
  | 'http-status'
  | 'invalid-json'
  | 'error-response'
  | 'database-error';

/**
 * Thrown by the built-in providers when a lookup fails. The login goes on
 * with an unknown location; the message names the provider and the cause.
 */
export class GeoLookupError extends Error {
  readonly reason: GeoLookupFailure;

  constructor(reason: GeoLookupFailure, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'GeoLookupError';
    this.reason = reason;
  }
}
