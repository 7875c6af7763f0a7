/** Defaults of every option, as django-trusted-devices and simplejwt ship them where they exist. */
export const DEFAULT_ACCESS_TOKEN_LIFETIME_SECONDS = 5 * 60;
export const DEFAULT_REFRESH_TOKEN_LIFETIME_SECONDS = 24 * 60 * 60;
export const DEFAULT_AUTH_HEADER_TYPES = ['Bearer'] as const;
export const DEFAULT_USER_ID_CLAIM = 'user_id';
export const DEFAULT_REFRESH_REUSE_GRACE_SECONDS = 10;
export const DEFAULT_DELETE_DELAY_MINUTES = 1440;
export const DEFAULT_UPDATE_DELAY_MINUTES = 60;
export const DEFAULT_CONCURRENT_SESSION_WINDOW_SECONDS = 60;
export const DEFAULT_TRUSTED_PROXY_DEPTH = 1;
export const DEFAULT_GEOLOCATION_CACHE_SECONDS = 86400;
/** Maximum time a login waits for a location before returning without one. */
export const DEFAULT_GEOLOCATION_TIMEOUT_MS = 300;
/** Days a sign-in stays in the user's history. */
export const DEFAULT_SIGN_IN_HISTORY_DAYS = 90;
export const DEFAULT_BODY_LIMIT_BYTES = 16 * 1024;
export const DEFAULT_LAST_SEEN_WRITE_INTERVAL_SECONDS = 60;
export const DEFAULT_DEVICE_CACHE_SECONDS = 30;
export const DEFAULT_DEVICE_CACHE_SIZE = 100_000;
export const DEFAULT_USER_CACHE_SECONDS = 30;
/**
 * Device cache lifetime while the notification channel is down, so another
 * instance's revocation is still honoured within this bound.
 */
export const DEFAULT_DEVICE_CACHE_FALLBACK_SECONDS = 1;
export const DEFAULT_CLEANUP_BATCH_SIZE = 1000;
/** RFC 7518 section 3.2: an HS256 key must have at least 256 bits. */
export const MIN_HMAC_KEY_BYTES = 32;
/** NIST SP 800-131A: RSA signatures need a modulus of at least 2048 bits. */
export const MIN_RSA_MODULUS_BITS = 2048;
/** Address changes between the same two addresses, within the window, that sign a device out: A, B, A, B. */
export const DEFAULT_CONCURRENT_SESSION_ALTERNATIONS = 3;
/** Login attempts per client address per window, as django-trusted-devices throttles its token view. */
export const DEFAULT_LOGIN_ATTEMPTS_PER_IP = 5;
export const DEFAULT_LOGIN_IP_WINDOW_SECONDS = 60;
export const DEFAULT_LOGIN_ATTEMPTS_PER_USERNAME = 10;
export const DEFAULT_LOGIN_USERNAME_WINDOW_SECONDS = 600;
export const DEFAULT_LOGIN_THROTTLE_KEY_PREFIX = 'trusted_devices_login';
