import type { KeyObject } from 'node:crypto';
import { MQTT_MAX_PACKET_BYTES, signPayload, type MqttReading } from '@meterline/contracts';
import { formatWithOffset } from '@meterline/simulator';

/** A value read from a meter, bound for a metering point, at the instant its poll started. */
export interface PolledReading {
  point: string;
  quantity: string;
  unit: string;
  value: number;
  tsMs: number;
}

/** What the broker admits of a payload: its packet limit less room for the topic and the MQTT header and properties. */
const MAX_PAYLOAD_BYTES = MQTT_MAX_PACKET_BYTES - 1_024;

// In the site's offset, to the millisecond: two polls within one second are two instants, not one point's conflict.
const toMqttReading = (r: PolledReading, utcOffsetMinutes: number): MqttReading => ({ point: r.point, ts: formatWithOffset(r.tsMs, utcOffsetMinutes), quantity: r.quantity, value: r.value, unit: r.unit });

export interface PayloadOptions {
  deviceId: string;
  utcOffsetMinutes: number;
  signingKey: KeyObject | undefined;
}

/** Payload v1, batch form, with `sig` when the device signs: the bytes stored in the queue and sent as they are. */
export function encodePayload(seq: number, readings: readonly PolledReading[], options: PayloadOptions): Buffer {
  const body = { v: 1, deviceId: options.deviceId, seq, readings: readings.map((r) => toMqttReading(r, options.utcOffsetMinutes)) };
  return Buffer.from(JSON.stringify(options.signingKey ? signPayload(body, options.signingKey) : body));
}

/**
 * A poll's readings as payloads: at most `maxReadings` each, and each within the broker's packet
 * limit with the longest seq it could get (a payload over it would close the connection and block the queue).
 */
export function payloadChunks(readings: readonly PolledReading[], maxReadings: number, options: PayloadOptions): PolledReading[][] {
  const chunks: PolledReading[][] = [];
  const split = (part: PolledReading[]) => {
    if (part.length > 1 && encodePayload(Number.MAX_SAFE_INTEGER, part, options).length > MAX_PAYLOAD_BYTES) {
      const half = Math.ceil(part.length / 2);
      split(part.slice(0, half));
      split(part.slice(half));
    } else if (part.length > 0) {
      chunks.push(part);
    }
  };
  for (let i = 0; i < readings.length; i += maxReadings) split(readings.slice(i, i + maxReadings));
  return chunks;
}
