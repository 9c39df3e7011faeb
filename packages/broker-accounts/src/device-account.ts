import { randomBytes } from 'node:crypto';
import { IdPattern } from '@meterline/contracts';
import { BrokerAccountsError } from './errors.ts';

const DEVICE_ID = new RegExp(IdPattern);

/** Random bytes per password: 192 bits, 32 characters of base64url (no character MQTT or JSON needs escaped). */
export const DEVICE_PASSWORD_BYTES = 24;

/** A new device password from the operating system's CSPRNG. */
export function generateDevicePassword(): string {
  return randomBytes(DEVICE_PASSWORD_BYTES).toString('base64url');
}

/** Throws MTL_BROKER_DEVICE_ID_INVALID unless the id is a registry id (one topic level, also a valid MQTT username). */
export function assertDeviceId(deviceId: string): void {
  if (typeof deviceId !== 'string' || !DEVICE_ID.test(deviceId)) {
    throw new BrokerAccountsError(
      'MTL_BROKER_DEVICE_ID_INVALID',
      `device id ${JSON.stringify(deviceId)} is not valid: it must match ${IdPattern} (it is the MQTT username and one topic level)`,
    );
  }
}

/**
 * The only topics a device may publish on (contract v1): its readings and its status. Nothing else
 * under its subtree (`…/reading`, `…/readings/x`): nobody reads there, and a publish that reaches
 * no one must be refused, not acknowledged and lost.
 */
export const devicePublishTopics = (deviceId: string): readonly [string, string] => [`meterline/v1/${deviceId}/readings`, `meterline/v1/${deviceId}/status`];

/** Whether the device may publish on `topic` (one of devicePublishTopics, exactly). */
export function deviceMayPublish(deviceId: string, topic: string): boolean {
  return devicePublishTopics(deviceId).includes(topic);
}
