import type { GeoLocation } from '../contracts.js';

/** A device as stored. Times are milliseconds since the epoch. */
export interface DeviceRecord {
  deviceUid: string;
  userId: string;
  name: string;
  userAgent: string;
  /** The address the device signed in from. */
  ipAddress: string;
  /** The address of its most recent request. */
  lastIp: string;
  country: string;
  region: string;
  city: string;
  lastSeen: number;
  createdAt: number;
  canUpdateOtherDevices: boolean;
  canDeleteOtherDevices: boolean;
  /** `jti` of the one refresh token that may be used next. */
  refreshJti: string;
  /** `jti` it replaced, accepted again within the reuse grace window. */
  previousRefreshJti: string | null;
  /** When `refreshJti` was issued. */
  refreshIssuedAt: number;
}

export interface DevicePatch {
  name?: string;
  canUpdateOtherDevices?: boolean;
  canDeleteOtherDevices?: boolean;
}

export interface CreateDeviceOptions {
  /** Keep at most this many devices of the user, evicting the least recently seen. */
  maxDevicesPerUser: number | null;
  /** Devices of the user last seen before this time are removed first. */
  staleBefore: number;
  /** Appended to the sign-in history in the same transaction. */
  signIn?: NewSignIn;
}

/** The outcome of a sign-in attempt. */
export type SignInOutcome = 'success' | 'failed-credentials' | 'inactive-account';

/** One entry of a user's sign-in history. Times are milliseconds since the epoch. */
export interface SignInRecord {
  /** A UUID. */
  id: string;
  userId: string;
  /** The device the sign-in created; null when it created none. */
  deviceUid: string | null;
  signedInAt: number;
  outcome: SignInOutcome;
  ipAddress: string;
  /** Empty when unknown, as on devices. */
  country: string;
  region: string;
  city: string;
  userAgent: string;
}

export interface NewSignIn {
  record: SignInRecord;
  /** The user's entries older than this are removed in the same transaction (the retention period). */
  pruneBefore: number;
}

/** The start of a page of sign-ins: the entry after this one, in newest-first order. */
export interface SignInCursor {
  signedInAt: number;
  id: string;
}

export interface CreateDeviceResult {
  evicted: DeviceRecord[];
  stale: DeviceRecord[];
}

export interface RefreshRotation {
  expectedJti: string;
  newJti: string;
  issuedAt: number;
  /** The refresh request counts as activity; recorded in the same write. */
  lastSeen: number;
  lastIp: string;
}

/**
 * Persistence of devices. Every method is atomic: a failure leaves the store
 * as it was and surfaces as `StoreUnavailableError`.
 */
export interface Store {
  /** Inserts a device, removing the user's stale devices and evicting beyond the limit in the same transaction. */
  createDevice(device: DeviceRecord, options: CreateDeviceOptions): Promise<CreateDeviceResult>;
  findDevice(deviceUid: string): Promise<DeviceRecord | undefined>;
  /** Returns the user's devices, most recently seen first. */
  listDevices(userId: string): Promise<DeviceRecord[]>;
  /** Returns the updated device, or undefined when the user has no such device. */
  updateDevice(userId: string, deviceUid: string, patch: DevicePatch): Promise<DeviceRecord | undefined>;
  /** Returns the removed device, or undefined when the user has no such device. */
  deleteDevice(userId: string, deviceUid: string): Promise<DeviceRecord | undefined>;
  /** Removes the user's devices, except one, and only those created before a time when given. */
  deleteUserDevices(userId: string, filter?: { exceptDeviceUid?: string; createdBefore?: number }): Promise<DeviceRecord[]>;
  /** Records a request: `last_seen`, and `last_ip` when it changed. */
  recordActivity(deviceUid: string, lastSeen: number, lastIp: string): Promise<void>;
  /**
   * Compare-and-set of the refresh `jti`, recording the activity in the same
   * write. Returns false when another refresh rotated it first or the device is gone.
   */
  rotateRefreshJti(deviceUid: string, rotation: RefreshRotation): Promise<boolean>;
  setLocation(deviceUid: string, location: GeoLocation): Promise<void>;
  /** Appends a sign-in that created no device, removing the user's entries older than `pruneBefore`. */
  recordSignIn(signIn: NewSignIn): Promise<void>;
  /** Fills in the location of a sign-in whose lookup finished after the login returned. */
  setSignInLocation(signInId: string, location: GeoLocation): Promise<void>;
  /** Returns up to `limit` of the user's sign-ins, newest first, after `after` when given. */
  listSignIns(userId: string, page: { limit: number; after?: SignInCursor }): Promise<SignInRecord[]>;
  /** Distinct non-empty countries of the user's successful sign-ins, except one entry. */
  listSignInCountries(userId: string, options?: { exceptSignInId?: string }): Promise<string[]>;
  /** Removes up to `limit` sign-ins older than a time, of every user. Returns how many were removed. */
  deleteSignInsBefore(signedInBefore: number, limit: number): Promise<number>;
  /** Removes the user's whole sign-in history. Returns how many entries were removed. */
  deleteUserSignIns(userId: string): Promise<number>;
  /** Removes up to `limit` devices last seen before a time, least recently seen first. */
  deleteStaleDevices(seenBefore: number, limit: number): Promise<DeviceRecord[]>;
  countStaleDevices(seenBefore: number): Promise<number>;
  close(): Promise<void>;
}
