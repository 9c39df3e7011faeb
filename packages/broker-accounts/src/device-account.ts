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
 * The only topics a device may publish on (contract v1) with Meterline payloads: its readings and its status. Nothing else
 * under its subtree (`…/reading`, `…/readings/x`): nobody reads there, and a publish that reaches
 * no one must be refused, not acknowledged and lost.
 */
export const devicePublishTopics = (deviceId: string): readonly [string, string] => [`meterline/v1/${deviceId}/readings`, `meterline/v1/${deviceId}/status`];

/**
 * A device may also be a Sparkplug B edge node whose node id is its device id: it publishes its
 * node's births, deaths and data, and its devices', in any group (ingest refuses a group the
 * registry does not give it), and nothing under another node id.
 */
export const deviceSparkplugPublishFilters = (deviceId: string): readonly string[] => [
  ...['NBIRTH', 'NDEATH', 'NDATA'].map((type) => `spBv1.0/+/${type}/${deviceId}`),
  ...['DBIRTH', 'DDEATH', 'DDATA'].map((type) => `spBv1.0/+/${type}/${deviceId}/+`),
];

/** What an edge node may subscribe to: the host's commands to it and to its devices, nothing else. */
export const deviceSparkplugCommandFilters = (deviceId: string): readonly string[] => [`spBv1.0/+/NCMD/${deviceId}`, `spBv1.0/+/DCMD/${deviceId}/+`];

/** MQTT topic matching of one filter with `+` levels only (a `+` matches any one level, an empty one too). */
function matchesPlusFilter(filter: string, topic: string): boolean {
  const want = filter.split('/');
  const have = topic.split('/');
  return want.length === have.length && want.every((level, i) => level === '+' || level === have[i]);
}

/** Whether the device may publish on `topic`: one of devicePublishTopics exactly, or under its own Sparkplug node id. */
export function deviceMayPublish(deviceId: string, topic: string): boolean {
  return devicePublishTopics(deviceId).includes(topic) || deviceSparkplugPublishFilters(deviceId).some((filter) => matchesPlusFilter(filter, topic));
}
