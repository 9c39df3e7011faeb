/** The documented payload limit (docs/device-integration.md). */
export const MQTT_MAX_PACKET_BYTES = 262_144;

/** The client id of ingest's connection `index` (services/ingest/src/main.ts). */
export const ingestClientId = (instanceId: string, index: number): string => `ingest-${instanceId}-${index}`;
