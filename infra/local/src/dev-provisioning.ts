import { devDevices } from './dev-credentials.ts';
import type { MosquittoHandle, MqttUser } from './mosquitto.ts';
import { defaultMqttAcl, defaultMqttUsers } from './stack.ts';

export interface DevStackAccounts {
  /** Dev devices `dev-meter-001` … (default 20). */
  readonly devDeviceCount?: number;
  /** The registry's devices (`./meterline up` provisions the demo registry's); absent: `stack up`'s own accounts. */
  readonly registryDevices?: readonly MqttUser[];
}

/** The stack's own accounts (services and dev devices): the set the broker starts with. */
const STACK_SET = 'base';
/** The registry's devices, provisioned by `./meterline up` after `stack up`. */
const REGISTRY_SET = 'registry';

/**
 * Provisions the dev stack's broker as `stack up` (its own accounts) or `./meterline up` (the
 * registry's devices) does. Each replaces only its own set: on a running stack, a device of the
 * other set is never absent from the password file, so never refused.
 */
export async function provisionDevStackAccounts(broker: MosquittoHandle, accounts: DevStackAccounts): Promise<void> {
  if (accounts.registryDevices !== undefined) {
    await broker.updateAccounts(REGISTRY_SET, accounts.registryDevices);
    return;
  }
  const stackUsers = [...defaultMqttUsers().filter((u) => !u.username.startsWith('dev-meter-')), ...devDevices(accounts.devDeviceCount ?? 20)];
  await broker.updateAccounts(STACK_SET, stackUsers, defaultMqttAcl(stackUsers));
}
