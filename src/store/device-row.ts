import type { Selectable } from 'kysely';

import type { TrustedDevicesTable } from './database-schema.js';
import type { DeviceRecord } from './types.js';

export type DeviceRow = Selectable<TrustedDevicesTable>;

export function toDeviceRecord(row: DeviceRow): DeviceRecord {
  return {
    deviceUid: row.device_uid,
    userId: row.user_id,
    name: row.name,
    userAgent: row.user_agent,
    ipAddress: row.ip_address,
    lastIp: row.last_ip,
    country: row.country,
    region: row.region,
    city: row.city,
    lastSeen: Number(row.last_seen),
    createdAt: Number(row.created_at),
    canUpdateOtherDevices: Boolean(row.can_update_other_devices),
    canDeleteOtherDevices: Boolean(row.can_delete_other_devices),
    refreshJti: row.refresh_jti,
    previousRefreshJti: row.previous_refresh_jti,
    refreshIssuedAt: Number(row.refresh_issued_at),
  };
}

export function toDeviceRow(device: DeviceRecord) {
  return {
    device_uid: device.deviceUid,
    user_id: device.userId,
    name: device.name,
    user_agent: device.userAgent,
    ip_address: device.ipAddress,
    last_ip: device.lastIp,
    country: device.country,
    region: device.region,
    city: device.city,
    last_seen: device.lastSeen,
    created_at: device.createdAt,
    can_update_other_devices: device.canUpdateOtherDevices,
    can_delete_other_devices: device.canDeleteOtherDevices,
    refresh_jti: device.refreshJti,
    previous_refresh_jti: device.previousRefreshJti,
    refresh_issued_at: device.refreshIssuedAt,
  };
}
