import { describe, expect, it } from 'vitest';
import { FIGURE_KINDS, type FigureV1, type RestatementV1 } from '@meterline/contracts';
import {
  accountEnterprise,
  calendarPeriod,
  createFactorCatalog,
  monthScorecard,
  subPeriods,
  type Enterprise,
  type Period,
  type RegisterReading,
} from '@meterline/domain';
import { completenessOf, FIGURE_MEASUREMENTS, figureKey, READING_FIELDS, READINGS_MEASUREMENT, readFigures, readingTags, RESTATEMENT_MEASUREMENT, restatementTags, type UnreadableRow } from '@meterline/series';
import { FABRICATION_DETECTORS } from '@meterline/mining';
import { fleetManifest } from '@meterline/simulator';
import { InMemoryStore, type SeriesPoint } from '@meterline/store';
import { aggregateEnterprise, type AggregationDeps, type FigurePublisher } from '../src/aggregate-enterprise.ts';
import { figureRows, scorecardRows } from '../src/figure-rows.ts';
import { registryVersion } from '../src/registry-version.ts';

const fail = (row: UnreadableRow) => expect.fail(`${row.measurement} row unreadable: ${row.reason}`);

const QUARTER = 900_000;
const TZ = 'Asia/Shanghai';
const enterprise: Enterprise = fleetManifest({ enterprises: 1, devicesPerEnterprise: 2, pointsPerDevice: 2, prefix: 'agg' }).enterprises[0]!;
const factorSet = (() => {
  const r = createFactorCatalog().resolve('cn-2023', '1.0.0');
  if (!r.ok) throw r.error;
  return r.factor;
})();
const march = calendarPeriod('2026-03', TZ);
const accounting = { equalValue: true };

/** Registers every 15 min over the first three days of March, each point with its own load; one point misses a morning. */
function readingsFor(pointIds: string[]): Map<string, RegisterReading[]> {
  const readings = new Map<string, RegisterReading[]>();
  pointIds.forEach((id, i) => {
    const list: RegisterReading[] = [];
    let register = 1_000 * (i + 1);
    for (let at = march.start - QUARTER * 4; at <= march.start + 3 * 86_400_000; at += QUARTER) {
      register += 5 + ((at / QUARTER) % 7) * (i + 1);
      const silent = i === 2 && at > march.start + 86_400_000 + 8 * 3_600_000 && at < march.start + 86_400_000 + 11 * 3_600_000;
      if (!silent) list.push({ at, value: Math.round(register * 1000) / 1000 });
    }
    readings.set(id, list);
  });
  return readings;
}

async function seed(store: InMemoryStore, readings: Map<string, RegisterReading[]>) {
  const points = [...readings].flatMap(([point, list]) =>
    list.map((r) => ({ measurement: READINGS_MEASUREMENT, tags: readingTags(enterprise.id, point), fields: { [READING_FIELDS.value]: r.value }, timestampMs: r.at })),
  );
  await store.write(points);
}

function harness() {
  const store = new InMemoryStore();
  const published: FigureV1[] = [];
  const restated: RestatementV1[] = [];
  const publisher: FigurePublisher = {
    publish(_e, figures, restatements) {
      published.push(...figures);
      restated.push(...restatements);
      return Promise.resolve();
    },
  };
  const deps: AggregationDeps = { store, publisher, readingsMeasurement: READINGS_MEASUREMENT, boundSearchMs: 35 * 86_400_000, writeChunkPoints: 500, accounting, onUnreadable: fail, onBaselineUnfit: (u) => expect.fail(`baseline ${u.baselineId} unfit: ${u.reason}`) };
  return { store, published, restated, deps };
}

const request = (kinds: Period['kind'][], range = { start: march.start, end: march.start + 3 * 86_400_000 }) => ({
  enterprise,
  factorSet,
  registryVersion: registryVersion(enterprise),
  kinds,
  range,
  now: Date.UTC(2026, 5, 1),
});

/** What the accounting gives for a period; a month also gets its scorecard, judged on its days. */
function expectedRows(readings: Map<string, RegisterReading[]>, period: Period): FigureV1[] {
  const figures = accountEnterprise(enterprise, readings, period, factorSet, accounting);
  const rows = figureRows(figures, period, registryVersion(enterprise));
  if (period.kind !== 'month') return rows;
  const days = subPeriods(period, 'day').map((d) => accountEnterprise(enterprise, readings, d, factorSet, accounting));
  return [...rows, ...scorecardRows(monthScorecard(enterprise, figures, days), figures, period, registryVersion(enterprise))];
}

const pointIds = enterprise.sites.flatMap((s) => s.meteringPoints.map((p) => p.id));

describe('aggregateEnterprise', () => {
  it('stores for every period exactly what the accounting gives on all the readings', async () => {
    const { store, deps } = harness();
    const readings = readingsFor(pointIds);
    await seed(store, readings);
    const result = await aggregateEnterprise(deps, request(['quarter-hour', 'hour', 'day', 'month']));
    expect(result.completed).toBe(true);

    const days = subPeriods(march, 'day').slice(0, 3);
    const periods = [march, ...days, ...days.flatMap((d) => subPeriods(d, 'hour')), ...days.flatMap((d) => subPeriods(d, 'quarter-hour'))];
    const expected = periods.flatMap((p) => expectedRows(readings, p));
    const stored = await readFigures(store, enterprise.id, { start: march.start, end: march.end }, ['quarter-hour', 'hour', 'day', 'month']);
    const storedByKey = new Map(stored.map((f) => [figureKey(f), f]));
    // Days 4-31 of March have no readings: their quarter-hours were not asked for, but the month was.
    // Each period has the same figures; the month has its five scorecard rules besides.
    const perPeriod = expectedRows(readings, days[0]!).length;
    expect(expectedRows(readings, march).length).toBe(perPeriod + 5);
    expect(expected.length).toBe((1 + 3 + 72 + 288) * perPeriod + 5);
    for (const e of expected) expect(storedByKey.get(figureKey(e))).toEqual(e);
    // And the month judged by the fabrication detectors: one finding per metered point and detector.
    const findings = stored.filter((f) => f.measurement === FIGURE_KINDS.fabricationFinding);
    expect(findings.length).toBe(pointIds.length * FABRICATION_DETECTORS.length);
    expect(stored.length).toBe(expected.length + findings.length);
  });

  it('sends a day out in parts, each announced before it is written, while the next is computed (issue 17)', async () => {
    const figureMeasurements = new Set<string>(Object.values(FIGURE_MEASUREMENTS));
    const events: string[] = [];
    let announced = 0;
    let written = 0;
    class RecordingStore extends InMemoryStore {
      override async write(points: SeriesPoint[]): Promise<void> {
        const figures = points.filter((p) => figureMeasurements.has(p.measurement)).length;
        if (figures > 0) {
          written += figures;
          // No figure is stored before it was announced.
          expect(written).toBeLessThanOrEqual(announced);
          events.push('write');
        }
        await super.write(points);
      }
    }
    const store = new RecordingStore();
    const readings = readingsFor(pointIds);
    await seed(store, readings);
    const { deps } = harness();
    const publisher: FigurePublisher = {
      publish(_e, figures) {
        announced += figures.length;
        events.push('announce');
        return Promise.resolve();
      },
    };
    const result = await aggregateEnterprise({ ...deps, store, publisher }, request(['quarter-hour'], { start: march.start, end: march.start + 86_400_000 }));
    expect(result.completed).toBe(true);
    // One unit, several parts of whole periods; the first part is written before the last is announced.
    expect(result.units).toHaveLength(1);
    expect(events.filter((e) => e === 'announce').length).toBeGreaterThan(1);
    expect(events.indexOf('write')).toBeLessThan(events.lastIndexOf('announce'));
    expect(written).toBe(announced);
    const expected = subPeriods({ ...march, end: march.start + 86_400_000 }, 'quarter-hour').flatMap((p) => expectedRows(readings, p));
    const stored = await readFigures(store, enterprise.id, { start: march.start, end: march.start + 86_400_000 }, ['quarter-hour']);
    expect(stored.length).toBe(expected.length);
    expect(written).toBe(expected.length);
  });

  it('recomputing with nothing new writes and publishes nothing', async () => {
    const { store, published, restated, deps } = harness();
    await seed(store, readingsFor(pointIds));
    await aggregateEnterprise(deps, request(['quarter-hour', 'hour', 'day']));
    const first = published.length;
    const again = await aggregateEnterprise(deps, request(['quarter-hour', 'hour', 'day']));
    expect(first).toBeGreaterThan(0);
    expect(published.length).toBe(first);
    expect(restated).toEqual([]);
    expect(again.units.reduce((n, u) => n + u.added + u.changed, 0)).toBe(0);
  });

  it('restates exactly the periods a late reading changes, old and new value in the record', async () => {
    const { store, restated, deps } = harness();
    const complete = readingsFor(pointIds);
    // Hold back a late batch: point 1's readings of the last two hours of day 3, so the
    // quarter-hours, hours, day and month they close all change.
    const lateFrom = march.start + 3 * 86_400_000 - 2 * 3_600_000;
    const late = complete.get(pointIds[1]!)!.filter((r) => r.at >= lateFrom);
    const early = new Map([...complete].map(([id, list]) => [id, id === pointIds[1] ? list.filter((r) => !late.includes(r)) : list]));
    await seed(store, early);
    const kinds: Period['kind'][] = ['quarter-hour', 'hour', 'day', 'month'];
    await aggregateEnterprise(deps, request(kinds));
    expect(restated).toEqual([]);

    await seed(store, new Map([[pointIds[1]!, late]]));
    await aggregateEnterprise(deps, request(kinds));

    // Expected: every figure whose accounting differs between the two sets of readings.
    const days = subPeriods(march, 'day').slice(0, 3);
    const periods = [march, ...days, ...days.flatMap((d) => [...subPeriods(d, 'hour'), ...subPeriods(d, 'quarter-hour')])];
    const before = new Map(periods.flatMap((p) => expectedRows(early, p)).map((f) => [figureKey(f), f]));
    const changed = periods
      .flatMap((p) => expectedRows(complete, p))
      .filter((f) => {
        const b = before.get(figureKey(f))!;
        return (
          b.value !== f.value || b.coveragePercent !== f.coveragePercent || b.expandedUncertainty !== f.expandedUncertainty || b.flags.join() !== f.flags.join() ||
          completenessOf(b) !== completenessOf(f)
        );
      });
    expect(changed.length).toBeGreaterThan(0);
    expect(new Set(changed.map((f) => f.periodKind))).toEqual(new Set(['quarter-hour', 'hour', 'day', 'month']));
    expect(restated.map((r) => figureKey({ ...r, enterpriseId: r.enterpriseId })).sort()).toEqual(changed.map((f) => figureKey(f)).sort());
    for (const r of restated) {
      const f = changed.find((c) => figureKey(c) === figureKey(r))!;
      expect(r.old.value).toBe(before.get(figureKey(f))!.value);
      expect(r.new.value).toBe(f.value);
      expect(r.new.revision).toBe(1);
      expect(r.reason).toBe('READINGS_CHANGED');
    }
    const records = await store.readSeries({ measurement: RESTATEMENT_MEASUREMENT, tags: restatementTags(enterprise.id), fromMs: march.start, toMs: march.end });
    expect(records.length).toBe(restated.length);
    const consumption = restated.filter((r) => r.measurement === FIGURE_KINDS.consumption);
    expect(new Set(consumption.map((r) => r.subject['point']))).toEqual(new Set([pointIds[1]]));
  });

  it('stores completeness with every figure and restates one whose only change is its completeness (issue 15)', async () => {
    const { store, restated, published, deps } = harness();
    const complete = readingsFor(pointIds);
    // Point 2 is silent on day 2 from 08:00 (exclusive) to 11:00 (exclusive): 08:15 … 10:45, 11 readings missing.
    const silent = pointIds[2]!;
    const day2 = subPeriods(march, 'day')[1]!;
    await seed(store, complete);
    await aggregateEnterprise(deps, request(['day']));
    const dayFigure = (fs: readonly FigureV1[]) => fs.find((f) => f.measurement === FIGURE_KINDS.consumption && f.subject['point'] === silent && f.startMs === day2.start)!;
    // 96 - 11 = 85 of 96 readings: 88.5417 %; the register difference over the silence is exact, coverage 100 %.
    expect(dayFigure(published).detail).toMatchObject({ completeness: (85 / 96) * 100, readings_received: 85, readings_expected: 96 });
    expect(dayFigure(published)).toMatchObject({ coveragePercent: 100, flags: ['gap'] });
    // Five of the missing readings arrive late (08:15 … 09:15, on the same steady register): the value, coverage and flags stay.
    const first = day2.start + 8 * 3_600_000 + QUARTER;
    const lateAt = [0, 1, 2, 3, 4].map((k) => first + k * QUARTER);
    const before = readingsFor([pointIds[0]!, pointIds[1]!, silent]).get(silent)!;
    const register = (at: number) => {
      // The register readingsFor would have given: it keeps counting through the silence.
      let r = 1_000 * 3;
      for (let t = march.start - QUARTER * 4; t <= at; t += QUARTER) r += 5 + ((t / QUARTER) % 7) * 3;
      return Math.round(r * 1000) / 1000;
    };
    expect(before.some((r) => lateAt.includes(r.at))).toBe(false);
    await seed(store, new Map([[silent, lateAt.map((at) => ({ at, value: register(at) }))]]));
    await aggregateEnterprise(deps, request(['day']));
    const r = restated.find((x) => x.measurement === FIGURE_KINDS.consumption && x.subject['point'] === silent && x.startMs === day2.start)!;
    expect(r.new.value).toBeCloseTo(r.old.value, 9);
    expect(r.new).toMatchObject({ coveragePercent: r.old.coveragePercent, flags: ['gap'], revision: 1 });
    // 90 of 96 = 93.75 %
    expect(r.detail).toContain(`completeness ${(85 / 96) * 100} % → 93.75 %`);
    const stored = await readFigures(store, enterprise.id, { start: march.start, end: march.end }, ['day']);
    expect(dayFigure(stored).detail).toMatchObject({ completeness: 93.75, readings_received: 90, readings_expected: 96 });
  });

  it('stopped between units and run again, gives the figures of one uninterrupted run', async () => {
    const once = harness();
    const twice = harness();
    const readings = readingsFor(pointIds);
    await seed(once.store, readings);
    await seed(twice.store, readings);
    await aggregateEnterprise(once.deps, request(['quarter-hour', 'hour', 'day', 'month']));
    let units = 0;
    const stopped = await aggregateEnterprise(twice.deps, { ...request(['quarter-hour', 'hour', 'day', 'month']), shouldStop: () => units >= 2, onUnit: () => void units++ });
    expect(stopped.completed).toBe(false);
    await aggregateEnterprise(twice.deps, request(['quarter-hour', 'hour', 'day', 'month']));
    const all = { start: march.start, end: march.end };
    const kinds: Period['kind'][] = ['quarter-hour', 'hour', 'day', 'month'];
    const a = await readFigures(once.store, enterprise.id, all, kinds);
    const b = await readFigures(twice.store, enterprise.id, all, kinds);
    expect(b).toEqual(a);
    expect(twice.restated).toEqual([]);
  });

  it('computes no period that has not ended', async () => {
    const { store, published, deps } = harness();
    await seed(store, readingsFor(pointIds));
    const now = march.start + 86_400_000 + 3_600_000 + 600_000; // day 2, 01:10 local
    await aggregateEnterprise(deps, { ...request(['quarter-hour', 'hour', 'day', 'month']), now });
    expect(published.every((f) => f.endMs <= now)).toBe(true);
    expect(new Set(published.filter((f) => f.periodKind === 'day').map((f) => f.periodKey))).toEqual(new Set(['2026-03-01']));
    expect(published.some((f) => f.periodKind === 'month')).toBe(false);
    expect(new Set(published.filter((f) => f.periodKind === 'hour').map((f) => f.periodKey)).size).toBe(25);
  });
});
