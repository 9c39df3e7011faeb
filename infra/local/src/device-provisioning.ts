import { DynsecDeviceAccounts, type ProvisionOutcome } from '@meterline/broker-accounts-dynsec';
import type { MqttUser } from './mosquitto.ts';

/** The broker to provision, and its dynamic security admin account. */
export interface ProvisioningTarget {
  readonly url: string;
  readonly admin: MqttUser;
}

/** The device ids by what provisioning did to each. */
export type ProvisionReport = Readonly<Record<ProvisionOutcome, readonly string[]>>;

/** Connects to the plugin's control API as the admin (the same adapter the API uses). */
export function connectDeviceAccounts(target: ProvisioningTarget): Promise<DynsecDeviceAccounts> {
  return DynsecDeviceAccounts.connect({ url: target.url, username: target.admin.username, password: target.admin.password });
}

/**
 * Provisions device accounts one by one through the dynamic security plugin (see
 * DynsecDeviceAccounts.provision): an absent account is made with the given password, an
 * existing one brought to the current policy with its password kept; nothing is deleted.
 */
export async function provisionDeviceAccounts(target: ProvisioningTarget, devices: readonly MqttUser[]): Promise<ProvisionReport> {
  const report: Record<ProvisionOutcome, string[]> = { created: [], updated: [], unchanged: [] };
  if (devices.length === 0) return report;
  const accounts = await connectDeviceAccounts(target);
  try {
    for (const device of devices) report[await accounts.provision(device.username, device.password)].push(device.username);
  } finally {
    await accounts.close();
  }
  return report;
}
