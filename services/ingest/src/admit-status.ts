import { readDeviceState, type DeadLetterV2, type DeviceStatusV1 } from '@meterline/contracts';
import type { RegistryIndex } from '@meterline/domain';
import type { AdmissionRules } from './admit-payload.ts';
import { ingestDeadLetter } from './dead-letter.ts';

/** Where devices publish their status, and their MQTT last will. */
export const STATUS_TOPIC_FILTER = 'meterline/v1/+/status';

// `+` matches an empty level too, so the device part may be empty (and then is unknown).
const STATUS_TOPIC = /^meterline\/v1\/([^/]*)\/status$/;

export const isStatusTopic = (mqttTopic: string): boolean => STATUS_TOPIC.test(mqttTopic);

export type StatusAdmission = { kind: 'status'; status: DeviceStatusV1 } | { kind: 'dead-letter'; deadLetter: DeadLetterV2 };

/**
 * Decides what becomes of one status message: forwarded as the device's state, attributed
 * to the enterprise that owns the device, or dead-lettered with a reason when the payload is
 * too large or the device is not in the registry. Any text is a status (an unrecognised one
 * is `unknown`), so nothing else is refused. Pure: no I/O, never throws.
 */
export function admitStatus(
  mqttTopic: string,
  payload: Buffer,
  retained: boolean,
  receivedAt: Date,
  registry: RegistryIndex,
  rules: Pick<AdmissionRules, 'maxPayloadBytes'>,
): StatusAdmission {
  const topicDeviceId = STATUS_TOPIC.exec(mqttTopic)?.[1];
  const refuse = (reason: 'PAYLOAD_TOO_LARGE' | 'UNKNOWN_DEVICE', detail: string): StatusAdmission => ({
    kind: 'dead-letter',
    deadLetter: ingestDeadLetter({ mqttTopic, topicDeviceId, receivedAt, payload }, reason, detail),
  });

  if (payload.length > rules.maxPayloadBytes) {
    return refuse('PAYLOAD_TOO_LARGE', `status payload of ${payload.length} bytes exceeds the limit of ${rules.maxPayloadBytes}`);
  }
  const location = topicDeviceId === undefined ? undefined : registry.device(topicDeviceId);
  if (topicDeviceId === undefined || !location) {
    return refuse('UNKNOWN_DEVICE', `device "${topicDeviceId ?? '?'}" is not in the registry`);
  }
  const { state, text } = readDeviceState(payload);
  return {
    kind: 'status',
    status: {
      v: 1,
      deviceId: location.device.id,
      enterpriseId: location.enterpriseId,
      state,
      text,
      retained,
      receivedAt: receivedAt.toISOString(),
      receivedMs: receivedAt.getTime(),
    },
  };
}
