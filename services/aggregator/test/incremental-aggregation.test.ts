import { describe, expect, it } from 'vitest';
import type { RestatementV1 } from '@meterline/contracts';
import { calendarPeriod, createFactorCatalog, subPeriods, type Enterprise, type Period, type RegisterReading } from '@meterline/domain';
import {
  AGGREGATION_STATE,
  figureKey,
  FIGURE_MEASUREMENTS,
  landedMarks,
  MANUAL_ENTRIES,
  READING_FIELDS,
  READINGS_MEASUREMENT,
  readingsLandedMeasurement,
  readingTags,
  readFigures,
} from '@meterline/series';
import { fleetManifest } from '@meterline/simulator';
import { InMemoryStore, StoreError, type SeriesQuery, type TimeSeriesStore } from '@meterline/store';
import { aggregateEnterprise, type AggregationRequest } from '../src/aggregate-enterprise.ts';
import { engineHarness } from './engine-harness.ts';
import { registryVersion } from '../src/registry-version.ts';

const QUARTER = 900_000;
const HOUR = 3_600_000;
const TZ = 'Asia/Shanghai';
const enterprise: Enterprise = fleetManifest({ enterprises: 1, devicesPerEnterprise: 2, pointsPerDevice: 2, prefix: 'inc' }).enterprises[0]!;
const pointIds = enterprise.sites.flatMap((s) => s.meteringPoints.map((p) => p.id));
const factorSet = (() => {
  const r = createFactorCatalog().resolve('cn-2023', '1.0.0');
  if (!r.ok) throw r.error;
  return r.factor;
})();
const march = calendarPeriod('2026-03', TZ);
const days = subPeriods(march, 'day');
const KINDS: Period['kind'][] = ['quarter-hour', 'hour', 'day', 'month'];

/** Registers every 15 min over all of March, each point with its own load. */
function readingsFor(): Map<string, RegisterReading[]> {
  const readings = new Map<string, RegisterReading[]>();
  pointIds.forEach((id, i) => {
    const list: RegisterReading[] = [];
    let register = 1_000 * (i + 1);
    for (let at = march.start - HOUR; at <= march.end + HOUR; at += QUARTER) {
      register += 5 + ((at / QUARTER) % 7) * (i + 1);
      list.push({ at, value: Math.round(register * 1000) / 1000 });
    }
    readings.set(id, list);
  });
  return readings;
}

/** Stores readings as the writer does: the readings, and their landing marks in the same write. */
async function land(store: TimeSeriesStore, readings: Map<string, RegisterReading[]>, landedAtMs: number) {
  const points = [...readings].flatMap(([point, list]) =>
    list.map((r) => ({ measurement: READINGS_MEASUREMENT, tags: readingTags(enterprise.id, point), fields: { [READING_FIELDS.value]: r.value }, timestampMs: r.at })),
  );
  const marks = landedMarks(READINGS_MEASUREMENT, [...readings.values()].flatMap((list) => list.map((r) => ({ enterpriseId: enterprise.id, tsMs: r.at }))), landedAtMs);
  await store.write([...points, ...marks]);
}

/** Our store interface, counting which measurements were read: a figure read back shows here. */
class CountingStore implements TimeSeriesStore {
  readonly reads: string[] = [];
  constructor(
    readonly inner: InMemoryStore,
    private readonly beforeRead?: (query: SeriesQuery) => Promise<void>,
    private readonly beforeWrite?: (points: Parameters<TimeSeriesStore['write']>[0]) => void,
  ) {}
  async write(points: Parameters<TimeSeriesStore['write']>[0]) {
    this.beforeWrite?.(points);
    await this.inner.write(points);
  }
  async readSeries(query: SeriesQuery) {
    this.reads.push(query.measurement);
    await this.beforeRead?.(query);
    return this.inner.readSeries(query);
  }
  newestTimestamps(query: Parameters<TimeSeriesStore['newestTimestamps']>[0]) {
    return this.inner.newestTimestamps(query);
  }
  ping() {
    return this.inner.ping();
  }
  close() {
    return this.inner.close();
  }
}

const harness = (store: TimeSeriesStore) => engineHarness({ store, accounting: { equalValue: true } });

const request = (incremental: boolean, range = { start: march.start, end: march.end }): AggregationRequest => ({
  enterprise,
  factorSet,
  registryVersion: registryVersion(enterprise),
  kinds: KINDS,
  range,
  now: Date.UTC(2026, 5, 1),
  incremental,
});

/**
 * For the tests that compute March in two stores, every kind and the month's judging (the
 * fabrication detectors included): 5–9 s on two busy shared cores, over vitest's default 5 s.
 */
const TWO_MONTHS = { timeout: 30_000 };

describe('incremental aggregation (issue 17, item 3)', () => {
  it('computes a month the first time like a full run, then reads nothing back when nothing landed', TWO_MONTHS, async () => {
    const inner = new InMemoryStore();
    const full = new InMemoryStore();
    const readings = readingsFor();
    await land(inner, readings, Date.UTC(2026, 3, 1));
    await land(full, readings, Date.UTC(2026, 3, 1));
    const store = new CountingStore(inner);
    const { deps } = harness(store);
    await aggregateEnterprise(deps, request(true));
    await aggregateEnterprise(harness(full).deps, request(false));
    const all = { start: march.start, end: march.end };
    const mine = await readFigures(inner, enterprise.id, all, KINDS);
    expect(mine.length).toBeGreaterThan(0);
    expect(new Map(mine.map((f) => [figureKey(f), f]))).toEqual(new Map((await readFigures(full, enterprise.id, all, KINDS)).map((f) => [figureKey(f), f])));

    store.reads.length = 0;
    const { deps: again, published } = harness(store);
    const result = await aggregateEnterprise(again, request(true));
    expect(result.units).toEqual([]);
    expect(result.skipped).toEqual({ days: days.length, months: 1 });
    expect(published).toEqual([]);
    // Only the manual entries, the landing marks and the aggregation state: no reading, no figure.
    expect([...new Set(store.reads)].sort()).toEqual([AGGREGATION_STATE.measurement, MANUAL_ENTRIES.measurement, readingsLandedMeasurement(READINGS_MEASUREMENT)].sort());
    expect(store.reads.filter((m) => (Object.values(FIGURE_MEASUREMENTS) as string[]).includes(m))).toEqual([]);
  });

  it('a late reading restates exactly what a full recomputation restates, computing only its day and the month', TWO_MONTHS, async () => {
    const readings = readingsFor();
    // Point 1 misses an afternoon of 10 March, which lands later.
    const lateDay = days[9]!;
    const isLate = (id: string, at: number) => id === pointIds[1] && at > lateDay.start + 13 * HOUR && at < lateDay.start + 15 * HOUR;
    const early = new Map([...readings].map(([id, list]) => [id, list.filter((r) => !isLate(id, r.at))]));
    const late = new Map([[pointIds[1]!, readings.get(pointIds[1]!)!.filter((r) => isLate(pointIds[1]!, r.at))]]);
    const inner = new InMemoryStore();
    const full = new InMemoryStore();
    for (const s of [inner, full]) await land(s, early, Date.UTC(2026, 3, 1));
    const store = new CountingStore(inner);
    await aggregateEnterprise(harness(store).deps, request(true));
    await aggregateEnterprise(harness(full).deps, request(false));
    for (const s of [inner, full]) await land(s, late, Date.UTC(2026, 3, 2));

    store.reads.length = 0;
    const incremental = harness(store);
    const result = await aggregateEnterprise(incremental.deps, request(true));
    const reference = harness(full);
    await aggregateEnterprise(reference.deps, request(false));
    expect(reference.restated.length).toBeGreaterThan(0);
    const keys = (list: RestatementV1[]) => list.map((r) => `${figureKey(r)} ${r.old.value} → ${r.new.value} ${r.reason}`).sort();
    expect(keys(incremental.restated)).toEqual(keys(reference.restated));
    // One day computed (its periods a late reading reaches), and the month over it (which reads
    // every day's readings, as a month's figures need them, but no other day's figures).
    expect(result.units.map((u) => u.unit)).toEqual([lateDay.key, '2026-03']);
    expect(result.units[0]!.periods).toBeLessThan(96 + 24 + 1);
  });

  it('readings that land while a run is under way are computed by the next run, not lost', async () => {
    const readings = readingsFor();
    const lateDay = days[3]!;
    const isLate = (id: string, at: number) => id === pointIds[0] && at >= lateDay.start + 2 * HOUR && at < lateDay.start + 3 * HOUR;
    const early = new Map([...readings].map(([id, list]) => [id, list.filter((r) => !isLate(id, r.at))]));
    const late = new Map([[pointIds[0]!, readings.get(pointIds[0]!)!.filter((r) => isLate(pointIds[0]!, r.at))]]);
    const inner = new InMemoryStore();
    await land(inner, early, Date.UTC(2026, 3, 1));
    const range = { start: days[2]!.start, end: days[5]!.end };
    const dayKinds = (incremental: boolean): AggregationRequest => ({ ...request(incremental, range), kinds: ['quarter-hour', 'hour', 'day'] });
    await aggregateEnterprise(harness(inner).deps, dayKinds(true));
    // The late readings land once the run has read its marks and state, before it reads the readings.
    let landed = false;
    const racing = new CountingStore(inner, async (q) => {
      if (!landed && q.measurement === READINGS_MEASUREMENT) {
        landed = true;
        await land(inner, late, Date.UTC(2026, 3, 2));
      }
    });
    // A full job (someone asked for it) reads the readings, seeing the late ones, but records the marks it read before.
    await aggregateEnterprise(harness(racing).deps, dayKinds(false));
    expect(landed).toBe(true);
    const next = harness(inner);
    const result = await aggregateEnterprise(next.deps, dayKinds(true));
    // The day is dirty again: recomputed, found equal to what the racing run stored.
    expect(result.units.map((u) => u.unit)).toEqual([lateDay.key]);
    expect(next.restated).toEqual([]);
    expect(await aggregateEnterprise(harness(inner).deps, dayKinds(true))).toMatchObject({ units: [], skipped: { days: 4 } });
  });

  it('a write that fails mid-run fails the run, records no state for the units not stored, and the next run completes them', async () => {
    const readings = readingsFor();
    const inner = new InMemoryStore();
    const reference = new InMemoryStore();
    for (const s of [inner, reference]) await land(s, readings, Date.UTC(2026, 3, 1));
    const range = { start: days[0]!.start, end: days[6]!.end };
    const week = (incremental: boolean): AggregationRequest => ({ ...request(incremental, range), kinds: ['quarter-hour', 'hour', 'day'] });
    // The store refuses the figures of the fourth day (InfluxDB gone) while the next day is being computed.
    const broken = new CountingStore(inner, undefined, (points) => {
      if (points.some((p) => (Object.values(FIGURE_MEASUREMENTS) as string[]).includes(p.measurement) && p.timestampMs >= days[3]!.start && p.timestampMs < days[3]!.end)) {
        throw new StoreError('MTL_STORE_UNAVAILABLE', 'down');
      }
    });
    await expect(aggregateEnterprise(harness(broken).deps, week(true))).rejects.toThrow('down');
    const next = await aggregateEnterprise(harness(inner).deps, week(true));
    // Days 1–3 were stored with their state; day 4 on are computed now.
    expect(next.units.map((u) => u.unit)).toEqual(days.slice(3, 7).map((d) => d.key));
    await aggregateEnterprise(harness(reference).deps, week(false));
    const all = { start: range.start, end: range.end };
    expect(new Map((await readFigures(inner, enterprise.id, all, KINDS)).map((f) => [figureKey(f), f]))).toEqual(new Map((await readFigures(reference, enterprise.id, all, KINDS)).map((f) => [figureKey(f), f])));
  });
});
