/** What a device connects with. The password is shown once: the broker keeps only its hash. */
export interface DeviceCredentials {
  /** The MQTT username: the device id itself. */
  readonly username: string;
  readonly password: string;
}

/**
 * A device's account on the MQTT broker: its username is its id, and it may publish only under
 * `meterline/v1/<deviceId>/readings` and `/status`, subscribe to nothing, and connect only with its id as client id. Failures are BrokerAccountsError with a stable code.
 */
export interface DeviceAccounts {
  /** Creates the account with a new random password. MTL_BROKER_DEVICE_EXISTS if the broker has an account of that name. */
  create(deviceId: string): Promise<DeviceCredentials>;
  /**
   * Replaces the password with a new random one: the old one is refused from then on. The broker
   * may drop the device's open connections (Mosquitto's dynamic security plugin does).
   * MTL_BROKER_DEVICE_UNKNOWN if there is no such device account.
   */
  rotate(deviceId: string): Promise<DeviceCredentials>;
  /** Deletes the account: the device is refused from then on. MTL_BROKER_DEVICE_UNKNOWN if there is no such device account. */
  revoke(deviceId: string): Promise<void>;
  /** True when the broker has a device account of that name (a service account of that name is not one). */
  exists(deviceId: string): Promise<boolean>;
  /** Ends the connection to the broker; calls after close fail with MTL_BROKER_UNAVAILABLE. */
  close(): Promise<void>;
}
