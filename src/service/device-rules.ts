import { formatMinutes } from '../config/duration.js';
import type { ResolvedConfig } from '../config/schema.js';
import { TrustedDevicesError } from '../errors.js';
import type { DevicePatch, DeviceRecord } from '../store/types.js';

type Action = 'delete' | 'update';

/**
 * Checks that `acting` may delete or edit `target`, in the order
 * django-trusted-devices checks: self, the operator switch, the acting
 * device's flag, then the delay. Throws the 403 of the first rule broken.
 */
export function assertMayModify(action: Action, acting: DeviceRecord, target: DeviceRecord, config: ResolvedConfig, now: number): void {
  if (acting.deviceUid === target.deviceUid) {
    throw new TrustedDevicesError(
      'device_self_modification',
      'A device cannot modify or delete itself. Use the logout endpoint to sign out the current device.',
    );
  }
  assertMayModifyOthers(action, acting, config);
  assertDelayPassed(action, config.delayApplies === 'acting' ? acting : target, config, now);
}

/** Checks the operator switch and the acting device's permission flag. */
export function assertMayModifyOthers(action: Action, acting: DeviceRecord, config: ResolvedConfig): void {
  if (action === 'delete') {
    if (!config.allowGlobalDelete) {
      throw new TrustedDevicesError('device_deletion_disabled', 'Deleting devices is disabled on this server.');
    }
    if (!acting.canDeleteOtherDevices) {
      throw new TrustedDevicesError(
        'device_lacks_delete_permission',
        'This device is not allowed to delete other devices. Use a device with that permission.',
      );
    }
  } else {
    if (!config.allowGlobalUpdate) {
      throw new TrustedDevicesError('device_editing_disabled', 'Editing devices is disabled on this server.');
    }
    if (!acting.canUpdateOtherDevices) {
      throw new TrustedDevicesError(
        'device_lacks_edit_permission',
        'This device is not allowed to edit other devices. Use a device with that permission.',
      );
    }
  }
}

/** Returns the delay in milliseconds that applies to an action. */
export function delayMs(action: Action, config: ResolvedConfig): number {
  return (action === 'delete' ? config.deleteDelayMinutes : config.updateDelayMinutes) * 60_000;
}

/**
 * Rejects the action while `subject` (the acting device by default, the
 * target with `delayApplies: 'target'`) is younger than the delay. A device
 * exactly as old as the delay passes.
 */
export function assertDelayPassed(action: Action, subject: DeviceRecord, config: ResolvedConfig, now: number): void {
  const delay = delayMs(action, config);
  if (now - subject.createdAt >= delay) return;

  const duration = formatMinutes(delay / 60_000);
  const verb = action === 'delete' ? 'remove' : 'edit';
  const detail =
    config.delayApplies === 'acting'
      ? `This device signed in too recently to ${verb} other devices. Try again once it has been signed in for ${duration}.`
      : `This device is too recent to be ${action === 'delete' ? 'removed' : 'edited'}. Try again ${duration} after it signed in.`;
  throw new TrustedDevicesError('device_session_too_recent', detail);
}

/** Rejects a patch that grants the target a permission the acting device lacks. */
export function assertNoEscalation(acting: DeviceRecord, patch: DevicePatch): void {
  if ((patch.canDeleteOtherDevices === true && !acting.canDeleteOtherDevices) || (patch.canUpdateOtherDevices === true && !acting.canUpdateOtherDevices)) {
    throw new TrustedDevicesError(
      'device_permission_escalation',
      'A device cannot grant a permission it does not have itself.',
    );
  }
}
