import { Type } from '@sinclair/typebox';

/** Device and metering point ids fill one MQTT topic level and one InfluxDB tag value. */
export const IdPattern = '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$';
export const Id = Type.String({ pattern: IdPattern });

/** ISO 8601 with an explicit offset: a reading without one cannot be placed in local periods. */
export const TimestampWithOffset = Type.String({
  pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}(:\\d{2}(\\.\\d{1,9})?)?(Z|[+-]\\d{2}:\\d{2})$',
});

/** What the device itself says of a reading; the pipeline adds its own flags later. */
export const DeviceQuality = Type.Union([
  Type.Literal('good'),
  Type.Literal('uncertain'),
  Type.Literal('bad'),
]);

/** A quantity name (the registry holds the closed list; ingest checks it against the point). */
export const Quantity = Type.String({ pattern: '^[a-z][a-z-]{0,47}$' });

/**
 * The instants InfluxDB can store (signed 64-bit nanoseconds since 1970, whole milliseconds
 * inside): a query or a record outside it is refused by the store, so it is refused earlier.
 */
export const STORABLE_INSTANTS = { earliestMs: -9_223_372_036_854, latestMs: 9_223_372_036_854 } as const;

const INSTANT_PARTS = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:Z|([+-])(\d{2}):(\d{2}))$/;

/**
 * Epoch milliseconds of an ISO 8601 timestamp with offset, or undefined when a part is out
 * of range. Stricter than Date.parse, which rolls 30 February over into March and accepts 24:00.
 */
export function parseInstant(text: string): number | undefined {
  const m = INSTANT_PARTS.exec(text);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second, , offsetHour, offsetMinute] = m.slice(1).map((x) => (x === undefined ? 0 : Number(x)));
  const daysInMonth = new Date(Date.UTC(year!, month, 0)).getUTCDate();
  if (month! < 1 || month! > 12 || day! < 1 || day! > daysInMonth) return undefined;
  if (hour! > 23 || minute! > 59 || second! > 59 || offsetHour! > 23 || offsetMinute! > 59) return undefined;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : ms;
}
