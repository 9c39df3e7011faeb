/**
 * The largest MQTT packet a device may send (topic, properties and payload together): the
 * broker refuses bigger ones at the door (Mosquitto's max_packet_size; MQTT 5 DISCONNECT 0x95,
 * packet too large), and ingest refuses a payload over it. One number for both, and the device
 * guide's "256 KiB".
 */
export const MQTT_MAX_PACKET_BYTES = 262_144;

/**
 * The client id prefix of ingest's connections (`<prefix>-<n>`). A device connects with its own
 * id as client id, and a device id (IdPattern) never contains `:`: a service's client id always
 * does, so no device can claim it (MQTT would hand the device the service's session).
 */
export const ingestClientIdPrefix = (instanceId: string): string => `ingest:${instanceId}`;

/**
 * What one device may publish, enforced at the broker per client id (a device account is bound
 * to its client id): a token bucket of messages and one of bytes (topic + payload). A publish
 * over either is refused at the door (MQTT 5 PUBACK 0x87) before it is stored or forwarded, so
 * one device cannot fill the queue every other device's readings wait in. A meter publishes a
 * few messages a minute; the bursts let a gateway replay after an outage, at 20 messages or
 * 64 KiB a second after its first 200 messages or 1 MiB.
 */
export interface DevicePublishLimit {
  readonly messagesPerSecond: number;
  readonly messageBurst: number;
  readonly bytesPerSecond: number;
  /** At least MQTT_MAX_PACKET_BYTES, or the biggest packet the broker admits could never pass. */
  readonly byteBurst: number;
}

export const DEVICE_PUBLISH_LIMIT: DevicePublishLimit = Object.freeze({
  messagesPerSecond: 20,
  messageBurst: 200,
  bytesPerSecond: 65_536,
  byteBurst: 1_048_576,
});
