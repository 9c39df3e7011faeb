import { afterEach, describe, expect, it } from 'vitest';
import { FIGURE_KINDS } from '@meterline/contracts';
import { FIGURE_FIELDS, FIGURE_MEASUREMENTS, FIGURE_TAGS } from '@meterline/series';
import type { SeriesPoint, TimeSeriesStore } from '@meterline/store';
import type { SeriesPageReader, StoredRow } from '../src/series/series-page-reader.ts';
import { DAY_MS, MARCH_1, storedFigure } from './fixtures.ts';

export interface ReaderUnderTest {
  /** Where the suite writes its points. */
  store: TimeSeriesStore;
  reader: SeriesPageReader;
  close(): Promise<void>;
}

const consumption = (enterprise: string, point: string, day: number, value: number): SeriesPoint =>
  storedFigure(enterprise, FIGURE_KINDS.consumption, { site: 's1', point, carrier: 'electricity', quantity: 'active-energy-import', role: 'sub-meter' }, MARCH_1 + day * DAY_MS, value);

const CONSUMPTION = FIGURE_MEASUREMENTS.consumption;

const rowOf = (p: SeriesPoint): StoredRow => ({ timestampMs: p.timestampMs, tags: p.tags, fields: p.fields });

/** One suite, passed by the in-memory twin and the InfluxDB reader. */
export function seriesPageReaderContract(name: string, setup: () => Promise<ReaderUnderTest>): void {
  describe(`series page reader contract: ${name}`, () => {
    let current: ReaderUnderTest | undefined;
    const open = async () => (current = await setup());
    afterEach(async () => {
      await current?.close();
      current = undefined;
    });

    it('returns a stored figure with its tags and fields apart, as written', async () => {
      const { store, reader } = await open();
      const point = consumption('e1', 'p1', 0, 42.5);
      await store.write([point]);
      const rows = await reader.page({ measurement: CONSUMPTION, tags: { [FIGURE_TAGS.enterprise]: 'e1' }, fromMs: MARCH_1, toMs: MARCH_1 + DAY_MS, offset: 0, limit: 10 });
      expect(rows).toEqual([rowOf(point)]);
    });

    it('pages across series in time order with no point twice and none missing', async () => {
      const { store, reader } = await open();
      // Three series with points at the same instants: pages cut between series of one instant.
      const points = [0, 1, 2, 3].flatMap((day) => ['p1', 'p2', 'p3'].map((p, i) => consumption('e1', p, day, day * 10 + i)));
      await store.write(points);
      const seen: StoredRow[] = [];
      for (let offset = 0; ; offset += 5) {
        const page = await reader.page({ measurement: CONSUMPTION, tags: { [FIGURE_TAGS.enterprise]: 'e1' }, fromMs: MARCH_1, toMs: MARCH_1 + 4 * DAY_MS, offset, limit: 5 });
        seen.push(...page);
        if (page.length < 5) break;
      }
      expect(seen.map((r) => r.timestampMs)).toEqual([...seen.map((r) => r.timestampMs)].sort((a, b) => a - b));
      const key = (r: StoredRow) => `${r.tags[FIGURE_TAGS.point]}@${r.timestampMs}`;
      expect(seen.map(key).sort()).toEqual(points.map(rowOf).map(key).sort());
    });

    it('tells a tag key that first appears after earlier reads from a field', async () => {
      const { store, reader } = await open();
      await store.write([consumption('e1', 'p1', 0, 1)]);
      const query = { measurement: CONSUMPTION, tags: { [FIGURE_TAGS.enterprise]: 'e1' }, fromMs: MARCH_1, toMs: MARCH_1 + 2 * DAY_MS, offset: 0, limit: 10 };
      await reader.page(query);
      const later = consumption('e1', 'p2', 1, 2);
      const tagged = { ...later, tags: { ...later.tags, region: 'CN-CQ' } };
      await store.write([tagged]);
      const rows = await reader.page(query);
      expect(rows.find((r) => r.tags[FIGURE_TAGS.point] === 'p2')).toEqual(rowOf(tagged));
    });

    it('matches tags exactly and keeps the range half-open', async () => {
      const { store, reader } = await open();
      await store.write([consumption('e1', 'p1', 0, 1), consumption('e1', 'p1', 1, 2), consumption('e2', 'p1', 0, 3), consumption('e1', 'p2', 0, 4)]);
      const rows = await reader.page({ measurement: CONSUMPTION, tags: { [FIGURE_TAGS.enterprise]: 'e1', [FIGURE_TAGS.point]: 'p1' }, fromMs: MARCH_1, toMs: MARCH_1 + DAY_MS, offset: 0, limit: 10 });
      expect(rows.map((r) => r.fields[FIGURE_FIELDS.value])).toEqual([1]);
    });

    it('quotes tag values and answers an unknown measurement with nothing', async () => {
      const { store, reader } = await open();
      await store.write([consumption("o'brien \\ co", 'p1', 0, 7)]);
      const rows = await reader.page({ measurement: CONSUMPTION, tags: { [FIGURE_TAGS.enterprise]: "o'brien \\ co" }, fromMs: MARCH_1, toMs: MARCH_1 + DAY_MS, offset: 0, limit: 10 });
      expect(rows.map((r) => r.fields[FIGURE_FIELDS.value])).toEqual([7]);
      expect(await reader.page({ measurement: 'no_such', tags: {}, fromMs: 0, toMs: MARCH_1, offset: 0, limit: 10 })).toEqual([]);
      expect(await reader.ping()).toBe(true);
    });
  });
}
