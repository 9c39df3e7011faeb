import { MQTT_MAX_PACKET_BYTES, ingestClientIdPrefix } from '@meterline/contracts';

export { MQTT_MAX_PACKET_BYTES };

/** The client id of ingest's connection `index` (MqttSharedSource appends `-<index>` to the prefix). */
export const ingestClientId = (instanceId: string, index: number): string => `${ingestClientIdPrefix(instanceId)}-${index}`;
