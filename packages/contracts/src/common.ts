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

export const Quantity = Type.Union([
  Type.Literal('active-energy-import'),
  Type.Literal('active-energy-export'),
  Type.Literal('reactive-energy'),
  Type.Literal('active-power'),
  Type.Literal('volume'),
  Type.Literal('mass'),
  Type.Literal('heat-energy'),
]);
