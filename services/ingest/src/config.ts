import { Type } from '@sinclair/typebox';
import { MQTT_MAX_PACKET_BYTES, TimestampWithOffset } from '@meterline/contracts';
import { RegistryConfigProperties, loadConfigWithRegistryOrExit } from '@meterline/feeds';
import { KafkaProducerClientProperty } from '@meterline/service-kit';

const IngestConfigSchema = Type.Object({
  mqttUrl: Type.String({ pattern: '^mqtts?://' }),
  mqttUsername: Type.String({ minLength: 1 }),
  mqttPassword: Type.String({ minLength: 1 }),
  /**
   * Parallel connections (persistent sessions) in the shared subscription. Each handles up to
   * `mqttInFlightPerConnection` messages at once, so a few suffice; more spread one instance's
   * load over more broker sessions. With mqtt.js, which handled one message per connection per
   * Kafka round trip, 64 were needed (issue 17).
   */
  mqttConnections: Type.Integer({ minimum: 1, maximum: 256, default: 8 }),
  /**
   * Messages each connection handles at once before its PUBACKs (the MQTT Receive Maximum sent to
   * the broker). Acknowledgements still leave in order, each after Kafka has its message.
   */
  mqttInFlightPerConnection: Type.Integer({ minimum: 1, maximum: 65_535, default: 128 }),
  /**
   * Payload bytes in hand across all connections before they stop reading: what ingest holds in
   * memory grows with it (1 024 batched payloads in hand were ≈ 200 MB of heap), and a few
   * Kafka round trips' worth keeps the pipeline full.
   */
  mqttInFlightBytes: Type.Integer({ minimum: 65_536, default: 2_097_152 }),
  mqttShareGroup: Type.String({ minLength: 1, default: 'meterline-ingest' }),
  mqttSessionExpirySeconds: Type.Integer({ minimum: 0, default: 86_400 }),
  /** MQTT keep-alive: a connection silent for 1.5 times this is dropped and made again. */
  mqttKeepaliveSeconds: Type.Integer({ minimum: 1, maximum: 65_535, default: 60 }),
  /** Stable per instance: it names the broker sessions that hold unacknowledged messages. */
  instanceId: Type.String({ pattern: '^[A-Za-z0-9._-]{1,48}$' }),
  kafkaBrokers: Type.Array(Type.String({ minLength: 1 }), { minItems: 1 }),
  readingsTopic: Type.String({ minLength: 1, default: 'meterline.readings.v1' }),
  deadLetterTopic: Type.String({ minLength: 1, default: 'meterline.readings.dlq.v1' }),
  /** Device statuses (`meterline/v1/<deviceId>/status`, the devices' last will), keyed by device id. */
  deviceStatusTopic: Type.String({ minLength: 1, default: 'meterline.device-status.v1' }),
  /** Per readings payload of a known device: its seq and digest (meterline.device-sequence.v1), keyed by device id. */
  deviceSequenceTopic: Type.String({ minLength: 1, default: 'meterline.device-sequence.v1' }),
  /** Exactly one: MTL_REGISTRY_FILE (reloaded on SIGHUP) or MTL_REGISTRY_TOPIC (followed without restarts). */
  ...RegistryConfigProperties,
  maxPayloadBytes: Type.Integer({ minimum: 1_024, default: MQTT_MAX_PACKET_BYTES }),
  maxFutureSkewMs: Type.Integer({ minimum: 0, default: 300_000 }),
  /**
   * No reading older than this is admitted from a device, whatever the registry says of its
   * point (commissioning day, or calibration start, are the nearer bound when later). Older
   * data is an operator's import, not a device's publish.
   */
  readingHorizon: Type.String({ pattern: TimestampWithOffset.pattern, default: '2000-01-01T00:00:00Z' }),
  /** bench:ingest, same run: ingest 0.094 CPU s per 10 000 readings at overload through @platformatic/kafka, 0.158 through kafkajs. */
  ...KafkaProducerClientProperty,
  /**
   * How long a Kafka batch waits for more records. bench:ingest, back to back, 2 → 10 ms: CPU s
   * per 10 000 readings of all processes 0.721 → 0.647 at 20 000 batched readings/s, 0.432 →
   * 0.392 at 40 000 (p99 1.7 → 1.3 s), 1.933 → 1.717 at 8 000 single readings/s (p99 448 → 305
   * ms); single-reading peak 14 158 → 14 780. Fewer, fuller produce requests cost Kafka less.
   */
  kafkaLingerMs: Type.Integer({ minimum: 0, default: 10 }),
  kafkaMaxBatchRecords: Type.Integer({ minimum: 1, default: 5_000 }),
  /** On SIGTERM, how long to keep trying to hand what is in hand to Kafka before leaving it unacknowledged. */
  kafkaCloseGraceMs: Type.Integer({ minimum: 0, default: 5_000 }),
  /**
   * Whether this instance is the Sparkplug B host: it subscribes to `spBv1.0/…` on one connection
   * of its own (a node's messages must be judged in order against its birth), keeps each node's
   * session and asks nodes for rebirths. Exactly one instance of a deployment should be.
   */
  sparkplugHost: Type.Boolean({ default: false }),
  sparkplugShareGroup: Type.String({ minLength: 1, default: 'meterline-sparkplug' }),
  /** The least time between two rebirth requests to one edge node. */
  sparkplugRebirthIntervalMs: Type.Integer({ minimum: 0, default: 10_000 }),
  opsHost: Type.String({ default: '127.0.0.1' }),
  opsPort: Type.Integer({ minimum: 0, maximum: 65_535, default: 9_464 }),
  logLevel: Type.Union([Type.Literal('debug'), Type.Literal('info'), Type.Literal('warn'), Type.Literal('error')], { default: 'info' }),
});

export const loadIngestConfig = () => loadConfigWithRegistryOrExit('ingest', IngestConfigSchema);
