import { BrokerAccountsError, assertDeviceId, generateDevicePassword } from '@meterline/broker-accounts';
import type { DeviceAccounts, DeviceCredentials } from '@meterline/broker-accounts';
import { DynsecControlClient } from './dynsec-control-client.ts';
import { DYNSEC_ERROR, boundClientId, dynsecCommands, isDeviceClient, roleIsCurrent } from './dynsec-protocol.ts';
import type { DynsecResponse } from './dynsec-protocol.ts';
import { validateOptions } from './options.ts';
import type { DynsecDeviceAccountsOptions } from './options.ts';

/** What provision() did: made the account, brought it to the current policy, or found it so. */
export type ProvisionOutcome = 'created' | 'updated' | 'unchanged';

function commandFailed(response: DynsecResponse, deviceId: string): BrokerAccountsError {
  return new BrokerAccountsError('MTL_BROKER_COMMAND_FAILED', `the dynamic security plugin refused ${response.command} for ${deviceId}: ${response.error ?? '(no reason given)'}`);
}

const unknownDevice = (deviceId: string) => new BrokerAccountsError('MTL_BROKER_DEVICE_UNKNOWN', `the broker has no device account named ${deviceId}`);

/**
 * Device accounts in Mosquitto's dynamic security plugin: a client named after the device, bound
 * to the device id as client id, with a role `device-<id>` allowing publishClientSend on
 * `meterline/v1/<id>/readings` and `/status` only and no subscription (deviceAcls; the plugin's
 * default access denies everything else). Only clients holding that role count as devices, so the admin
 * and service accounts in the same plugin cannot be rotated or revoked through here.
 */
export class DynsecDeviceAccounts implements DeviceAccounts {
  readonly #control: DynsecControlClient;

  private constructor(control: DynsecControlClient) {
    this.#control = control;
  }

  /**
   * Validates the options, connects as the admin account and checks that the plugin answers.
   * Fails with MTL_BROKER_CONFIG_INVALID, MTL_BROKER_UNAVAILABLE, MTL_BROKER_NOT_AUTHORIZED or MTL_BROKER_TIMEOUT.
   */
  static async connect(options: DynsecDeviceAccountsOptions): Promise<DynsecDeviceAccounts> {
    const valid = validateOptions(options);
    const control = await DynsecControlClient.connect(valid);
    try {
      // Any command proves the round trip: the admin may publish commands and read answers, and the plugin is loaded.
      await control.request([dynsecCommands.getClient(valid.username)]);
    } catch (error) {
      await control.close();
      throw error;
    }
    return new DynsecDeviceAccounts(control);
  }

  async create(deviceId: string): Promise<DeviceCredentials> {
    assertDeviceId(deviceId);
    const password = generateDevicePassword();
    await this.#createAccount(deviceId, password);
    return { username: deviceId, password };
  }

  /**
   * For provisioning with passwords the caller keeps (the dev stack, tests): creates the device's
   * account with `password` when the broker has none, and otherwise brings the existing device
   * account to this version's policy (its role's ACLs, its client id bound to the device id),
   * leaving its password as it is. Never deletes an account: a device already connected stays
   * connected unless its account had to change (the plugin then drops its connections once).
   * MTL_BROKER_DEVICE_EXISTS when the name belongs to an account that is not a device's (a service, the admin).
   */
  async provision(deviceId: string, password: string): Promise<ProvisionOutcome> {
    assertDeviceId(deviceId);
    if (typeof password !== 'string' || password === '') throw new BrokerAccountsError('MTL_BROKER_CONFIG_INVALID', `the password to provision ${deviceId} with is empty`);
    const [client] = await this.#control.request([dynsecCommands.getClient(deviceId)]);
    if (client!.error === DYNSEC_ERROR.clientNotFound) {
      await this.#createAccount(deviceId, password);
      return 'created';
    }
    if (client!.error !== undefined) throw commandFailed(client!, deviceId);
    if (!isDeviceClient(client!, deviceId)) {
      throw new BrokerAccountsError('MTL_BROKER_DEVICE_EXISTS', `the broker has an account named ${deviceId} that is not a device account (a service's or the admin's)`);
    }
    const [role] = await this.#control.request([dynsecCommands.getRole(deviceId)]);
    const changes = [
      ...(roleIsCurrent(role!, deviceId) ? [] : [dynsecCommands.resetRole(deviceId)]),
      ...(boundClientId(client!) === deviceId ? [] : [dynsecCommands.bindClientId(deviceId)]),
    ];
    if (changes.length === 0) return 'unchanged';
    for (const response of await this.#control.request(changes)) {
      if (response.error !== undefined) throw commandFailed(response, deviceId);
    }
    return 'updated';
  }

  /** The device's role and client in one control message; MTL_BROKER_DEVICE_EXISTS when the name is taken. */
  async #createAccount(deviceId: string, password: string): Promise<void> {
    // One control message: the plugin runs both commands before any other admin's, so no one sees a client without its role.
    const [role, client] = await this.#control.request([dynsecCommands.createRole(deviceId), dynsecCommands.createClient(deviceId, password)]);
    if (client!.error === DYNSEC_ERROR.clientExists) {
      const exists = `the broker already has an account named ${deviceId}`;
      // The role is ours to remove only if this call made it (a device that exists keeps its role).
      if (role!.error === undefined) {
        await this.#control.request([dynsecCommands.deleteRole(deviceId)]).catch((cause: unknown) => {
          throw new BrokerAccountsError('MTL_BROKER_DEVICE_EXISTS', `${exists} (and the role device-${deviceId} this call made could not be removed; it grants nothing)`, { cause });
        });
      }
      throw new BrokerAccountsError('MTL_BROKER_DEVICE_EXISTS', exists);
    }
    if (client!.error !== undefined) throw commandFailed(client!, deviceId);
    if (role!.error === DYNSEC_ERROR.roleExists) {
      // Left by an interrupted call or by hand: its ACLs may not be the device's, so set them. Nobody
      // holds the password yet, so the plugin disconnecting the role's clients drops nothing.
      const [reset] = await this.#control.request([dynsecCommands.resetRole(deviceId)]);
      if (reset!.error !== undefined) throw commandFailed(reset!, deviceId);
    } else if (role!.error !== undefined) {
      throw commandFailed(role!, deviceId);
    }
  }

  async rotate(deviceId: string): Promise<DeviceCredentials> {
    await this.#requireDevice(deviceId);
    const password = generateDevicePassword();
    const [set] = await this.#control.request([dynsecCommands.setClientPassword(deviceId, password)]);
    if (set!.error === DYNSEC_ERROR.clientNotFound) throw unknownDevice(deviceId);
    if (set!.error !== undefined) throw commandFailed(set!, deviceId);
    return { username: deviceId, password };
  }

  async revoke(deviceId: string): Promise<void> {
    await this.#requireDevice(deviceId);
    // The role's answer is not checked: with the client gone it grants nothing, and create() resets a role it finds.
    const [client] = await this.#control.request([dynsecCommands.deleteClient(deviceId), dynsecCommands.deleteRole(deviceId)]);
    if (client!.error === DYNSEC_ERROR.clientNotFound) throw unknownDevice(deviceId);
    if (client!.error !== undefined) throw commandFailed(client!, deviceId);
  }

  async exists(deviceId: string): Promise<boolean> {
    assertDeviceId(deviceId);
    return this.#isDevice(deviceId);
  }

  close(): Promise<void> {
    return this.#control.close();
  }

  async #isDevice(deviceId: string): Promise<boolean> {
    const [client] = await this.#control.request([dynsecCommands.getClient(deviceId)]);
    if (client!.error === DYNSEC_ERROR.clientNotFound) return false;
    if (client!.error !== undefined) throw commandFailed(client!, deviceId);
    return isDeviceClient(client!, deviceId);
  }

  async #requireDevice(deviceId: string): Promise<void> {
    assertDeviceId(deviceId);
    if (!(await this.#isDevice(deviceId))) throw unknownDevice(deviceId);
  }
}
