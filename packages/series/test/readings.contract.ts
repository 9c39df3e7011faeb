import { describe, expect, it } from 'vitest';
import type { ReadingMessageV1 } from '@meterline/contracts';
import { newestReadingTimes, readingOf, readingPoint, READINGS_MEASUREMENT, readReadings, type UnreadableRow } from '../src/index.ts';
import { storePerTest, UNTIL_MS, type MakeSeriesStore } from './series-store-under-test.ts';

const T0 = Date.UTC(2026, 2, 1, 0, 0);
const fail = (row: UnreadableRow) => expect.fail(row.reason);

const reading = (pointId: string, tsMs: number, value: number, more: Partial<ReadingMessageV1> = {}): ReadingMessageV1 => ({
  v: 1,
  readingId: `dev-1:1:${tsMs}`,
  deviceId: 'dev-1',
  seq: 1,
  index: 0,
  enterpriseId: 'ent-1',
  siteId: 'site-1',
  pointId,
  carrier: 'electricity',
  quantity: 'active-energy-import',
  value,
  unit: 'kWh',
  sourceValue: value,
  sourceUnit: 'kWh',
  ts: new Date(tsMs).toISOString(),
  tsMs,
  quality: 'good',
  receivedAt: new Date(tsMs).toISOString(),
  ...more,
});

export function readingsContract(name: string, open: MakeSeriesStore): void {
  describe(`readings series: ${name}`, () => {
    const fresh = storePerTest(open);

    it('reads back what was written, by enterprise and by points, in time order', async () => {
      const store = await fresh();
      await store.write([
        readingPoint(READINGS_MEASUREMENT, reading('p1', T0 + 900_000, 12.25, { verified: true, deviceId: 'gw-7' })),
        readingPoint(READINGS_MEASUREMENT, reading('p1', T0, 10.5)),
        readingPoint(READINGS_MEASUREMENT, reading('p2', T0, 700, { enterpriseId: 'ent-2', siteId: 'site-2', carrier: 'natural-gas', quantity: 'gas-volume', quality: 'uncertain' })),
      ]);
      const all = { measurement: READINGS_MEASUREMENT, fromMs: T0, toMs: T0 + 3_600_000 };
      expect(await readReadings(store, { ...all, enterpriseId: 'ent-1' }, fail)).toEqual([
        { enterpriseId: 'ent-1', siteId: 'site-1', pointId: 'p1', carrier: 'electricity', quantity: 'active-energy-import', tsMs: T0, value: 10.5, deviceId: 'dev-1', verified: false },
        { enterpriseId: 'ent-1', siteId: 'site-1', pointId: 'p1', carrier: 'electricity', quantity: 'active-energy-import', tsMs: T0 + 900_000, value: 12.25, deviceId: 'gw-7', verified: true },
      ]);
      // The device is a tag (issue 17): read even when no field but the value is asked for.
      expect(await readReadings(store, { ...all, pointIds: ['p2'], fields: [] }, fail)).toEqual([
        { enterpriseId: 'ent-2', siteId: 'site-2', pointId: 'p2', carrier: 'natural-gas', quantity: 'gas-volume', tsMs: T0, value: 700, deviceId: 'dev-1', verified: false },
      ]);
      expect((await readReadings(store, { ...all, pointIds: ['p2'] }, fail)).map((r) => r.quality)).toEqual(['uncertain']);
      // The range is half-open: a reading at its end is not in it.
      expect(await readReadings(store, { ...all, toMs: T0 + 900_000, pointIds: ['p1'], fields: [] }, fail)).toHaveLength(1);
    });

    it('tells the newest stored instant of each point, and nothing for a point with no reading', async () => {
      const store = await fresh();
      await store.write([T0, T0 + 900_000, T0 + 1_800_000].map((t, i) => readingPoint(READINGS_MEASUREMENT, reading('p1', t, 100 + i))));
      await store.write([readingPoint(READINGS_MEASUREMENT, reading('p2', T0 + 60_000, 5))]);
      expect(await newestReadingTimes(store, READINGS_MEASUREMENT, ['p1', 'p2', 'p3'])).toEqual(new Map([['p1', T0 + 1_800_000], ['p2', T0 + 60_000]]));
    });

    it('stores a reading under the names its readers query, quality only when not good and verified only when true (issue 17)', async () => {
      const store = await fresh();
      await store.write([readingPoint('reading_alt', reading('p1', T0, 3, { verified: true })), readingPoint('reading_alt', reading('p2', T0, 4, { quality: 'uncertain', verified: false }))]);
      const [row] = await store.readSeries({ measurement: 'reading_alt', tags: { point: 'p1' }, fromMs: 0, toMs: UNTIL_MS });
      expect(row?.tags).toEqual({ enterprise: 'ent-1', site: 'site-1', point: 'p1', carrier: 'electricity', quantity: 'active-energy-import', device: 'dev-1' });
      expect(row?.fields).toEqual({ value: 3, verified: true });
      const [uncertain] = await store.readSeries({ measurement: 'reading_alt', tags: { point: 'p2' }, fromMs: 0, toMs: UNTIL_MS });
      expect(uncertain?.fields).toEqual({ value: 4, quality: 'uncertain' });
    });

    it('reads the device of a row stored before it was a tag, from its field (issue 17)', async () => {
      const store = await fresh();
      await store.write([{ measurement: READINGS_MEASUREMENT, tags: { enterprise: 'ent-1', point: 'p1' }, fields: { value: 4, device: 'old-dev' }, timestampMs: T0 }]);
      const [read] = await readReadings(store, { measurement: READINGS_MEASUREMENT, pointIds: ['p1'], fromMs: 0, toMs: UNTIL_MS }, fail);
      expect(read?.deviceId).toBe('old-dev');
    });

    it('leaves out rows that hold no reading, and says why a row is none', async () => {
      const store = await fresh();
      await store.write([
        { measurement: READINGS_MEASUREMENT, tags: { enterprise: 'ent-1', point: 'p9' }, fields: { quality: 'good' }, timestampMs: T0 },
        { measurement: READINGS_MEASUREMENT, tags: { enterprise: 'ent-1', point: 'p1' }, fields: { value: 4 }, timestampMs: T0 },
      ]);
      const reported: UnreadableRow[] = [];
      const read = await readReadings(store, { measurement: READINGS_MEASUREMENT, enterpriseId: 'ent-1', fromMs: 0, toMs: UNTIL_MS }, (row) => reported.push(row));
      // Written before readings carried their device, quality and signature check: still a reading, not verified.
      expect(read).toEqual([{ enterpriseId: 'ent-1', siteId: '', pointId: 'p1', carrier: '', quantity: '', tsMs: T0, value: 4, verified: false }]);
      expect(reported).toEqual([{ measurement: READINGS_MEASUREMENT, tags: { enterprise: 'ent-1', point: 'p9' }, timestampMs: T0, reason: expect.stringMatching(/lacks a point or a numeric value/) as unknown }]);
      expect(readingOf({ tags: { point: 'p9' }, fields: { quality: 'good' }, timestampMs: T0 })).toEqual({ ok: false, reason: expect.stringMatching(/lacks a point or a numeric value/) as unknown });
      expect(readingOf({ tags: { enterprise: 'ent-1' }, fields: { value: 1 }, timestampMs: T0 })).toEqual({ ok: false, reason: expect.stringMatching(/lacks a point or a numeric value/) as unknown });
    });
  });
}
