/**
 * Every error code the HTTP API can return, with its status. Clients switch on
 * `code`; the wording of `detail` may change between releases.
 */
export const ERROR_STATUS = {
  invalid: 400,
  token_blacklisted: 400,
  not_authenticated: 401,
  no_active_account: 401,
  token_not_valid: 401,
  device_uid_missing: 401,
  device_not_recognized: 401,
  device_compromised: 401,
  inactive_account: 401,
  device_self_modification: 403,
  device_deletion_disabled: 403,
  device_editing_disabled: 403,
  device_lacks_delete_permission: 403,
  device_lacks_edit_permission: 403,
  device_session_too_recent: 403,
  device_permission_escalation: 403,
  device_not_verified: 403,
  not_found: 404,
  method_not_allowed: 405,
  payload_too_large: 413,
  unsupported_media_type: 415,
  throttled: 429,
  service_unavailable: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

/** Field name to the list of problems found in it, as in Django REST framework. */
export type FieldErrors = Record<string, string[]>;

/**
 * Base class of every runtime failure the library reports to a client. The
 * message never contains the presented token, password or key.
 */
export class TrustedDevicesError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly fields: FieldErrors | undefined;
  /** Extra response headers, such as `Retry-After`. */
  readonly headers: Record<string, string> | undefined;

  constructor(
    code: ErrorCode,
    detail: string,
    options: { fields?: FieldErrors; headers?: Record<string, string>; cause?: unknown } = {},
  ) {
    super(detail, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'TrustedDevicesError';
    this.code = code;
    this.status = ERROR_STATUS[code];
    this.fields = options.fields;
    this.headers = options.headers;
  }
}

/**
 * The store could not be reached or failed mid-operation. Nothing was written:
 * every multi-statement change runs in a transaction.
 */
export class StoreUnavailableError extends TrustedDevicesError {
  constructor(cause: unknown) {
    super('service_unavailable', 'The device store is unavailable. Try again shortly.', { cause });
    this.name = 'StoreUnavailableError';
  }
}
