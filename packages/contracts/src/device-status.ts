import { Type, type Static } from '@sinclair/typebox';
import { Id } from './common.ts';
import { jsonRecordCodec } from './kafka-record.ts';

export const DEVICE_STATUS_SCHEMA_ID = 'meterline.device-status.v1';

/**
 * What a device said on `meterline/v1/<deviceId>/status`, read as a state: `offline` is the
 * MQTT last will the broker publishes when the device drops; `online` is what a device
 * publishes on (re)connecting; anything else is `unknown`, kept with its text.
 */
export const DeviceState = Type.Union([Type.Literal('online'), Type.Literal('offline'), Type.Literal('unknown')]);
export type DeviceState = Static<typeof DeviceState>;

/** Kafka device status v1, keyed by device id, forwarded by ingest. */
export const DeviceStatusV1 = Type.Object(
  {
    v: Type.Literal(1),
    deviceId: Id,
    /** The enterprise owning the device in the registry. */
    enterpriseId: Id,
    state: DeviceState,
    /** The payload as text, cut to 256 characters. */
    text: Type.String({ maxLength: 256 }),
    /** True when the broker delivered it as a retained message (a state older than this connection). */
    retained: Type.Boolean(),
    receivedAt: Type.String(),
    receivedMs: Type.Integer(),
  },
  { additionalProperties: false },
);
export type DeviceStatusV1 = Static<typeof DeviceStatusV1>;
/** The device-status topic's records, keyed by device. */
export const deviceStatusCodec = jsonRecordCodec(DEVICE_STATUS_SCHEMA_ID, DeviceStatusV1);

const MAX_TEXT = 256;

/**
 * Reads a status payload: the plain words `online` / `offline` (any case, trimmed), or JSON
 * with a `status` or `state` member holding one of them. The whole payload is read (the
 * caller bounds its size); only the text kept is cut.
 */
export function readDeviceState(payload: Buffer): { state: DeviceState; text: string } {
  const whole = payload.toString('utf8');
  const text = whole.slice(0, MAX_TEXT);
  const word = whole.trim().toLowerCase();
  if (word === 'online' || word === 'offline') return { state: word, text };
  let parsed: unknown;
  try {
    // The whole payload: a JSON status longer than the text kept must still be read.
    parsed = JSON.parse(whole);
  } catch {
    // Not JSON and not a known word: a free-form status, kept as text.
    return { state: 'unknown', text };
  }
  if (parsed !== null && typeof parsed === 'object') {
    const member = (parsed as Record<string, unknown>).status ?? (parsed as Record<string, unknown>).state;
    const value = typeof member === 'string' ? member.trim().toLowerCase() : '';
    if (value === 'online' || value === 'offline') return { state: value, text };
  }
  return { state: 'unknown', text };
}
