import { devDevices } from './dev-credentials.ts';
import type { ProvisionReport } from './device-provisioning.ts';
import type { MosquittoDynsecHandle } from './mosquitto-dynsec.ts';
import type { MqttUser } from './mosquitto.ts';

export interface DevStackAccounts {
  /** Dev devices `dev-meter-001` … (default 20). */
  readonly devDeviceCount?: number;
  /** The registry's devices (`./meterline up` provisions the demo registry's); absent: `stack up`'s dev devices. */
  readonly registryDevices?: readonly MqttUser[];
}

/**
 * Provisions the dev stack's broker as `stack up` (its dev devices) or `./meterline up` (the
 * registry's devices) does, through the dynamic security plugin. Neither ever deletes an account
 * nor changes a password, so on a running stack a provisioned device is never refused (issue 13,
 * defect 11); an account made by an earlier version is brought to the current policy.
 */
export function provisionDevStackAccounts(broker: Pick<MosquittoDynsecHandle, 'provisionDevices'>, accounts: DevStackAccounts): Promise<ProvisionReport> {
  return broker.provisionDevices(accounts.registryDevices ?? devDevices(accounts.devDeviceCount ?? 20));
}
