import { afterEach, describe, expect, it } from 'vitest';
import { calendarPeriod, cumulativePoints, readingsBounding, type RegisterReading } from '@meterline/domain';
import { READING_FIELDS, READING_TAGS, READINGS_MEASUREMENT, type UnreadableRow } from '@meterline/series';
import type { SeriesPoint } from '@meterline/store';
import { pagedReportReadings } from '../src/reports/report-readings.ts';
import type { ReaderUnderTest } from './series-page-reader-contract.ts';
import { REPORT_ENTERPRISE, REPORT_MONTH, REPORT_PREVIOUS_MONTH, reportManifest, reportReadings, storedReading } from './report-dataset.ts';

const fail = (row: UnreadableRow) => expect.fail(`${row.measurement} row unreadable: ${row.reason}`);

const DAY = 86_400_000;
const TZ = 'Asia/Shanghai';
const march = calendarPeriod(REPORT_MONTH, TZ);

/** What `meterline account` would use for the period: readingsBounding over every reading of each point. */
function expected(points: readonly SeriesPoint[], pointIds: readonly string[], period: { start: number; end: number }): Map<string, Array<RegisterReading & { verified: boolean }>> {
  return new Map(
    pointIds.map((id) => {
      const all = points
        .filter((p) => p.tags[READING_TAGS.enterprise] === REPORT_ENTERPRISE && p.tags[READING_TAGS.point] === id)
        // Stored without the field (before signed payloads): not verified.
        .map((p) => ({ at: p.timestampMs, value: p.fields[READING_FIELDS.value] as number, verified: p.fields[READING_FIELDS.verified] === true }))
        .sort((a, b) => a.at - b.at || a.value - b.value);
      return [id, readingsBounding(all, period)];
    }),
  );
}

/**
 * The report's reading loader on a store: it must give, per point, what readingsBounding
 * keeps of all the point's readings, however far the bracketing readings are. Passed by
 * the in-memory twin and by InfluxDB.
 */
export function reportReadingsContract(name: string, setup: () => Promise<ReaderUnderTest>): void {
  describe(`report readings contract: ${name}`, () => {
    let current: ReaderUnderTest | undefined;
    const open = async () => (current = await setup());
    afterEach(async () => {
      await current?.close();
      current = undefined;
    });
    const pointIds = cumulativePoints(reportManifest().enterprises[0]!).map(({ point }) => point.id);

    it('loads a month and a month a year earlier as meterline account would use them', async () => {
      const { store, reader } = await open();
      // Every seventh reading signature-verified (issue 13): the flag comes back as stored.
      const points = reportReadings().map((p, i) => (i % 7 === 0 ? { ...p, fields: { ...p.fields, [READING_FIELDS.verified]: true } } : p));
      await store.write(points);
      const loader = pagedReportReadings(reader, READINGS_MEASUREMENT, fail);
      for (const month of [REPORT_MONTH, REPORT_PREVIOUS_MONTH]) {
        const period = calendarPeriod(month, TZ);
        const loaded = await loader.load(REPORT_ENTERPRISE, pointIds, period);
        expect(loaded, month).toEqual(expected(points, pointIds, period));
        expect([...loaded.values()].flat().filter((r) => r.verified).length, month).toBeGreaterThan(0);
        // Readings either side, and the whole month of each point.
        expect(loaded.get('rpt-e-in')!.length).toBe((period.end - period.start) / (month === REPORT_MONTH ? 900_000 : 3_600_000) + 2);
      }
    });

    it('finds brackets far away (beyond a month, beyond a year) and keeps every reading at a bracketing instant', async () => {
      const { store, reader } = await open();
      const points = [
        // Silent 40 days either side of the month.
        storedReading('rpt-gas', march.start - 41 * DAY, 10),
        storedReading('rpt-gas', march.start - 40 * DAY, 11),
        storedReading('rpt-gas', march.start + 5 * DAY, 20),
        storedReading('rpt-gas', march.end + 40 * DAY, 30),
        storedReading('rpt-gas', march.end + 41 * DAY, 31),
        // Only 400 days back, and a day after.
        storedReading('rpt-diesel', march.start - 400 * DAY, 1),
        storedReading('rpt-diesel', march.end + DAY - 1, 2),
        // Two series of one point (its site tag changed) at the same bracketing instant.
        storedReading('rpt-heat', march.start - 3_600_000, 5),
        { ...storedReading('rpt-heat', march.start - 3_600_000, 6), tags: { ...storedReading('rpt-heat', 0, 0).tags, site: 'rpt-old-site' } },
        storedReading('rpt-heat', march.end, 9),
        // Another enterprise's readings of a point with the same id are not ours.
        { ...storedReading('rpt-heat', march.start + DAY, 999), tags: { ...storedReading('rpt-heat', 0, 0).tags, enterprise: 'someone-else' } },
      ];
      await store.write(points);
      const loaded = await pagedReportReadings(reader, READINGS_MEASUREMENT, fail).load(REPORT_ENTERPRISE, pointIds, march);
      expect(loaded).toEqual(expected(points, pointIds, march));
      expect(loaded.get('rpt-gas')!.map((r) => r.value)).toEqual([11, 20, 30]);
      expect(loaded.get('rpt-diesel')!.map((r) => r.value)).toEqual([1, 2]);
      expect(loaded.get('rpt-heat')!.map((r) => r.value)).toEqual([5, 6, 9]);
      expect(loaded.get('rpt-e-in')).toEqual([]);
    });
  });
}
