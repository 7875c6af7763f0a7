import { createHash, randomUUID } from 'node:crypto';

export type TokenType = 'access' | 'refresh';

/** The claims of a verified token, in camelCase. Times are seconds since the epoch. */
export interface VerifiedToken {
  tokenType: TokenType;
  userId: string;
  /** Absent in tokens minted without device tracking; callers reject those. */
  deviceUid: string | undefined;
  jti: string;
  issuedAt: number;
  expiresAt: number;
}

/** A new `jti` in simplejwt's format: a version 4 UUID as 32 hex digits. */
export function newJti(): string {
  return randomUUID().replaceAll('-', '');
}

/**
 * Derives the `jti` of the access token minted together with a refresh token.
 * Deriving it, instead of storing it, lets a refresh within the reuse grace
 * window return the very same pair.
 */
export function accessJtiFor(refreshJti: string): string {
  return createHash('sha256').update(`access:${refreshJti}`).digest('hex').slice(0, 32);
}
