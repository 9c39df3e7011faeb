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

    it('answers its health check', async () => {
      expect(await subject.store.ping()).toBe(true);
    });
  });
}
