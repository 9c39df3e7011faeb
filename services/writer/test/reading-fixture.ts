import type { ReadingMessageV1 } from '@meterline/contracts';

/** A reading as ingest puts it on the readings topic (device dev-1, kWh, quality good), overridable. */
export function readingMessage(point: string, tsMs: number, value: number, overrides: Partial<ReadingMessageV1> = {}): ReadingMessageV1 {
  return {
    v: 1,
    readingId: `dev-1:${tsMs}:${value}`,
    deviceId: 'dev-1',
    seq: 1,
    index: 0,
    enterpriseId: 'ent-1',
    siteId: 'site-1',
    pointId: point,
    carrier: 'electricity',
    quantity: 'active-energy-import',
    value,
    unit: 'kWh',
    sourceValue: value,
    sourceUnit: 'kWh',
    ts: new Date(tsMs).toISOString(),
    tsMs,
    quality: 'good',
    receivedAt: new Date().toISOString(),
    ...overrides,
  };
}
