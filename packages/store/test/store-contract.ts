import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SeriesPoint, TimeSeriesStore } from '../src/index.ts';

export interface StoreUnderTest {
  store: TimeSeriesStore;
  /** A measurement name no other test writes to. */
  newMeasurement(): string;
  close(): Promise<void>;
}

const T0 = Date.UTC(2026, 2, 1, 0, 0, 0);

function reading(measurement: string, point: string, minute: number, value: number): SeriesPoint {
  return {
    measurement,
    tags: { enterprise: 'ent-1', site: 'site-1', point, carrier: 'electricity', quantity: 'active-energy-import' },
    fields: { value, quality: 'good' },
    timestampMs: T0 + minute * 60_000,
  };
}

/** The guarantees the writer and aggregator rely on, checked against every store. */
export function storeContract(name: string, make: () => Promise<StoreUnderTest>): void {
  describe(`store contract: ${name}`, () => {
    let subject: StoreUnderTest;
    beforeAll(async () => {
      subject = await make();
    });
    afterAll(async () => {
      await subject.close();
    });

    it('reads back what it wrote, with tags, fields and timestamp', async () => {
      const m = subject.newMeasurement();
      const written = [reading(m, 'mp-1', 0, 10.5), reading(m, 'mp-1', 15, 12.25)];
      await subject.store.write(written);
      const rows = await subject.store.readSeries({ measurement: m, tags: { point: 'mp-1' }, fromMs: T0, toMs: T0 + 3_600_000 });
      expect(rows).toEqual(written);
    });

    it('overwrites a point written twice (idempotent writes)', async () => {
      const m = subject.newMeasurement();
      await subject.store.write([reading(m, 'mp-1', 0, 10)]);
      await subject.store.write([reading(m, 'mp-1', 0, 11)]);
      const rows = await subject.store.readSeries({ measurement: m, tags: { point: 'mp-1' }, fromMs: T0, toMs: T0 + 60_000 });
      expect(rows.map((r) => r.fields['value'])).toEqual([11]);
    });

    it('filters by tags and by the half-open time range', async () => {
      const m = subject.newMeasurement();
      await subject.store.write([reading(m, 'mp-1', 0, 1), reading(m, 'mp-1', 60, 2), reading(m, 'mp-2', 30, 3)]);
      const rows = await subject.store.readSeries({ measurement: m, tags: { point: 'mp-1' }, fromMs: T0, toMs: T0 + 3_600_000 });
      expect(rows.map((r) => r.fields['value'])).toEqual([1]);
    });

    it('returns a series without the tags other series of its measurement carry (regression, issue 4)', async () => {
      // InfluxQL's GROUP BY * reports a tag key a series lacks as "": enterprise-level figures
      // (no site tag) came back with site "" and never matched what had been published.
      const m = subject.newMeasurement();
      const enterpriseLevel: SeriesPoint = { measurement: m, tags: { enterprise: 'ent-1', level: 'enterprise' }, fields: { value: 1 }, timestampMs: T0 };
      const siteLevel: SeriesPoint = { measurement: m, tags: { enterprise: 'ent-1', level: 'site', site: 'site-1' }, fields: { value: 2 }, timestampMs: T0 };
      await subject.store.write([enterpriseLevel, siteLevel]);
      const rows = await subject.store.readSeries({ measurement: m, tags: { enterprise: 'ent-1' }, fromMs: T0, toMs: T0 + 60_000 });
      expect(rows.sort((a, b) => Number(a.fields['value']) - Number(b.fields['value']))).toEqual([enterpriseLevel, siteLevel]);
    });

    it('reads only the fields asked for', async () => {
      const m = subject.newMeasurement();
      await subject.store.write([reading(m, 'mp-1', 0, 7), { ...reading(m, 'mp-1', 15, 0), fields: { quality: 'bad' } }]);
      const rows = await subject.store.readSeries({ measurement: m, tags: { point: 'mp-1' }, fromMs: T0, toMs: T0 + 3_600_000, fields: ['value'] });
      expect(rows.map((r) => r.fields)).toEqual([{ value: 7 }]);
    });

    it('filters by any of a list of tag values; an empty list matches nothing', async () => {
      const m = subject.newMeasurement();
      await subject.store.write([reading(m, 'mp-1', 0, 1), reading(m, 'mp-2', 1, 2), reading(m, 'mp-3', 2, 3)]);
      const range = { measurement: m, fromMs: T0, toMs: T0 + 3_600_000 };
      const rows = await subject.store.readSeries({ ...range, tags: { point: ['mp-1', 'mp-3', 'mp-9'] } });
      expect(rows.map((r) => [r.tags['point'], r.fields['value']])).toEqual([
        ['mp-1', 1],
        ['mp-3', 3],
      ]);
      expect(await subject.store.readSeries({ ...range, tags: { point: [] } })).toEqual([]);
    });

    it('gives the newest timestamp per tag value, counting only points that carry the field', async () => {
      const m = subject.newMeasurement();
      await subject.store.write([
        reading(m, 'mp-1', 0, 1),
        reading(m, 'mp-1', 45, 2),
        reading(m, 'mp-2', 5, 3),
        { ...reading(m, 'mp-2', 50, 0), fields: { quality: 'bad' } },
        { ...reading(m, 'mp-3', 10, 4), tags: { ...reading(m, 'mp-3', 10, 4).tags, site: 'site-2' } },
        reading(m, 'mp-3', 20, 5),
      ]);
      const newest = await subject.store.newestTimestamps({ measurement: m, tag: 'point', values: ['mp-1', 'mp-2', 'mp-3', 'mp-9'], field: 'value' });
      expect(Object.fromEntries(newest)).toEqual({ 'mp-1': T0 + 45 * 60_000, 'mp-2': T0 + 5 * 60_000, 'mp-3': T0 + 20 * 60_000 });
      expect((await subject.store.newestTimestamps({ measurement: m, tag: 'point', values: [], field: 'value' })).size).toBe(0);
    });

    it('answers its health check', async () => {
      expect(await subject.store.ping()).toBe(true);
    });
  });
}
