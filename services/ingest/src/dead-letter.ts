import type { DeadLetterReason, DeadLetterV1 } from '@meterline/contracts';

/** Where a refused MQTT message came from, as every ingest dead letter records it. */
export interface MessageOrigin {
  mqttTopic: string;
  /** The device the topic names; absent when the topic names none. */
  topicDeviceId: string | undefined;
  receivedAt: Date;
  payload: Buffer;
}

/** An ingest-stage dead letter keeping the original bytes, so the payload can be replayed once fixed. */
export function ingestDeadLetter(
  origin: MessageOrigin,
  reason: DeadLetterReason,
  detail: string,
  extra: { path?: string; readingIndex?: number } = {},
): DeadLetterV1 {
  return {
    v: 1,
    stage: 'ingest',
    reason,
    detail,
    ...extra,
    mqttTopic: origin.mqttTopic,
    ...(origin.topicDeviceId ? { topicDeviceId: origin.topicDeviceId } : {}),
    receivedAt: origin.receivedAt.toISOString(),
    payloadBase64: origin.payload.toString('base64'),
  };
}
