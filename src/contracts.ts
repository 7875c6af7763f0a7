/**
 * Types of the pieces a host plugs in. Every layer may import these; they
 * carry no code.
 */

/** A pino-compatible logger. The library is silent unless one is passed in. */
export interface Logger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/** Returns the current time in milliseconds since the epoch. */
export type Clock = () => number;

/** The part of a host's user that the library needs. */
export interface User {
  /** Stable id, stored as text on every device and in the user id claim. */
  id: string;
  isActive: boolean;
}

/**
 * Connects the host's user system. The built-in SQL users table implements
 * it; so can any existing user store.
 */
export interface UserAdapter {
  /**
   * Returns the user whose credentials match, or null. Must take about the
   * same time for an unknown username as for a wrong password.
   */
  verifyCredentials(username: string, password: string): Promise<User | null>;
  /** Returns the user with this id, or null when it no longer exists. */
  findById(id: string): Promise<User | null>;
  /**
   * Optional. Returns the user a username names, or null or undefined. When
   * present, a sign-in with a wrong password is recorded in that user's
   * sign-in history; without it, only successful and inactive-account
   * sign-ins are.
   */
  findByUsername?(username: string): Promise<User | null | undefined>;
}

/** A device's location. A missing field means unknown. */
export interface GeoLocation {
  country?: string;
  region?: string;
  city?: string;
}

/** Looks up where an address is. May throw or time out: callers treat both as unknown. */
export type GeoProvider = (ip: string) => Promise<GeoLocation | null | undefined>;
