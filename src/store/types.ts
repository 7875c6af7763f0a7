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
  /** Removes up to `limit` devices last seen before a time, least recently seen first. */
  deleteStaleDevices(seenBefore: number, limit: number): Promise<DeviceRecord[]>;
  countStaleDevices(seenBefore: number): Promise<number>;
  close(): Promise<void>;
}
