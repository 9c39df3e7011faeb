import { devDevices } from './dev-credentials.ts';
import type { MosquittoHandle, MqttUser } from './mosquitto.ts';
import { defaultMqttAcl, defaultMqttUsers } from './stack.ts';

export interface DevStackAccounts {
  /** Dev devices `dev-meter-001` … (default 20). */
  readonly devDeviceCount?: number;
  /** The registry's devices (`./meterline up` provisions the demo registry's); absent: `stack up`'s own accounts only. */
  readonly registryDevices?: readonly MqttUser[];
}

/** The dev stack's broker accounts, as `stack up` and then `./meterline up` provision them on a running broker. */
export async function provisionDevStackAccounts(broker: MosquittoHandle, accounts: DevStackAccounts): Promise<void> {
  const stackUsers = [...defaultMqttUsers().filter((u) => !u.username.startsWith('dev-meter-')), ...devDevices(accounts.devDeviceCount ?? 20)];
  const users = [...stackUsers, ...(accounts.registryDevices ?? [])];
  await broker.updateAuth(users, defaultMqttAcl(users));
}
