import { boundedDetail, describeOriginal, type DeadLetterReason, type DeadLetterV2, type ReadingRefusal } from '@meterline/contracts';

/** Where a refused MQTT message came from, as every ingest dead letter records it. */
export interface MessageOrigin {
  mqttTopic: string;
  /** The device the topic names; absent when the topic names none. */
  topicDeviceId: string | undefined;
  receivedAt: Date;
  payload: Buffer;
}

/**
 * An ingest-stage dead letter: the reason, and the original's size, digest and a bounded
 * excerpt (never all of it: the record must fit Kafka's limit whatever the device sent).
 */
export function ingestDeadLetter(
  origin: MessageOrigin,
  reason: DeadLetterReason,
  detail: string,
  extra: { path?: string; refusals?: ReadingRefusal[]; admittedReadings?: number } = {},
): DeadLetterV2 {
  return {
    v: 2,
    stage: 'ingest',
    reason,
    detail: boundedDetail(detail),
    ...extra,
    // A path may hold a device's member name (a repeated one), of any length.
    ...(extra.path === undefined ? {} : { path: boundedDetail(extra.path) }),
    mqttTopic: origin.mqttTopic,
    ...(origin.topicDeviceId ? { topicDeviceId: origin.topicDeviceId } : {}),
    receivedAt: origin.receivedAt.toISOString(),
    original: describeOriginal(origin.payload),
  };
}
