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
