import { Counter, Gauge, Histogram, type Registry } from '@meterline/service-kit';

export function createIngestMetrics(registry: Registry, connectedMqtt: () => number) {
  return {
    payloads: new Counter({ name: 'meterline_ingest_payloads_total', help: 'MQTT payloads handled', labelNames: ['outcome'], registers: [registry] }),
    readings: new Counter({ name: 'meterline_ingest_readings_total', help: 'Readings admitted and acknowledged by Kafka', registers: [registry] }),
    deviceStatuses: new Counter({
      name: 'meterline_ingest_device_statuses_total',
      help: 'Device statuses forwarded and acknowledged by Kafka, by state read',
      labelNames: ['state'],
      registers: [registry],
    }),
    deadLetters: new Counter({ name: 'meterline_ingest_dead_letters_total', help: 'Refusals by reason: a payload refused as a whole counts once, each refused reading of a payload once (one dead-letter record per payload)', labelNames: ['reason'], registers: [registry] }),
    sparkplugRebirths: new Counter({ name: 'meterline_ingest_sparkplug_rebirth_requests_total', help: 'Rebirth requests sent to Sparkplug edge nodes (a seq gap, an unknown alias or a message before a birth)', registers: [registry] }),
    sparkplugDeviceEvents: new Counter({
      name: 'meterline_ingest_sparkplug_device_events_total',
      help: 'Births (online) and deaths (offline) of Sparkplug devices under edge nodes',
      labelNames: ['state'],
      registers: [registry],
    }),
    kafkaSend: new Histogram({
      name: 'meterline_ingest_kafka_send_seconds',
      help: 'Time for Kafka to acknowledge one batch',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    kafkaFailures: new Counter({ name: 'meterline_ingest_kafka_send_failures_total', help: 'Failed Kafka send attempts (retried)', registers: [registry] }),
    inFlight: new Gauge({ name: 'meterline_ingest_in_flight_payloads', help: 'Payloads waiting for Kafka', registers: [registry] }),
    mqttConnected: new Gauge({
      name: 'meterline_ingest_mqtt_connections',
      help: 'Connected MQTT connections',
      registers: [registry],
      collect() {
        this.set(connectedMqtt());
      },
    }),
  };
}
