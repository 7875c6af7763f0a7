import type { DeviceView } from '../service/device-management.js';
import type { DeviceRecord } from '../store/types.js';

/** Converts a device to its wire form, in the field names of django-trusted-devices, with ISO 8601 UTC timestamps. */
export function deviceToJson(device: DeviceView) {
  return {
    device_uid: device.deviceUid,
    name: device.name,
    user_agent: device.userAgent,
    ip_address: device.ipAddress,
    last_ip: device.lastIp,
    country: device.country,
    region: device.region,
    city: device.city,
    last_seen: new Date(device.lastSeen).toISOString(),
    created_at: new Date(device.createdAt).toISOString(),
    can_update_other_devices: device.canUpdateOtherDevices,
    can_delete_other_devices: device.canDeleteOtherDevices,
    is_current: device.isCurrent,
  };
}

/** Builds the body of a successful PATCH or PUT: the three fields a client may change. */
export function deviceUpdateToJson(device: DeviceRecord) {
  return {
    name: device.name,
    can_delete_other_devices: device.canDeleteOtherDevices,
    can_update_other_devices: device.canUpdateOtherDevices,
  };
}
