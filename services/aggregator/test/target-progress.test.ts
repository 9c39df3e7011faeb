import { describe, expect, it } from 'vitest';
import { FIGURE_KINDS } from '@meterline/contracts';
import { calendarPeriod, createFactorCatalog, parseManifest, type Enterprise, type Target } from '@meterline/domain';
import {
  FIGURE_DETAIL_FIELDS as D,
  FIGURE_TAGS as T,
  READING_FIELDS,
  READINGS_MEASUREMENT,
  readFigures,
  readingTags,
  readRegionTargetProgress,
  writeTargets,
  type UnreadableRow,
} from '@meterline/series';
import { aggregateEnterprise } from '../src/aggregate-enterprise.ts';
import { registryVersion } from '../src/registry-version.ts';
import { engineHarness } from './engine-harness.ts';

/**
 * Issue 16, item 1: each month unit judges the enterprise's year against its dual-control
 * targets (target_progress figures, restated when a target changes) and its region's year
 * against the region's targets (the region series). Two plants in CN-CQ, each with one hourly
 * class 0.5 main meter; February 2026 (28 days, Asia/Shanghai) is the only month with readings.
 */
const parsed = parseManifest(
  `
version: 1
enterprises:
${['foundry', 'forge']
  .map(
    (id) => `  - id: ${id}
    name: ${id}
    region: CN-CQ
    gridRegion: southwest
    timeZone: Asia/Shanghai
    factorSet: { name: cn-2023, version: 1.0.0 }
    scope2Level: provincial
    sites:
      - id: ${id}-s1
        name: Site 1
        meteringPoints:
          - { id: ${id}-main, carrier: electricity, quantity: active-energy-import, unit: kWh, accuracyClass: 0.5, expectedInterval: PT1H,
              calibration: { certificate: c, validFrom: 2024-01-01, validUntil: 2029-12-31 }, topology: { role: boundary-input } }
    devices: []`,
  )
  .join('\n')}
`,
  'cn-cq.yaml',
);
if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
const [foundry, forge] = parsed.manifest.enterprises as [Enterprise, Enterprise];
const factorSet = (() => {
  const r = createFactorCatalog().resolve('cn-2023', '1.0.0');
  if (!r.ok) throw r.error;
  return r.factor;
})();
const february = calendarPeriod('2026-02', 'Asia/Shanghai');
const HOUR = 3_600_000;
/** Ends of February to May have passed; June has not. */
const NOW = Date.UTC(2026, 5, 1);
const fail = (row: UnreadableRow) => expect.fail(`${row.measurement} row unreadable: ${row.reason}`);

/** `kWhPerHour` an hour, read on the hour from 1 Feb 00:00 to 1 Mar 00:00: 672 intervals. */
const readings = (e: Enterprise, kWhPerHour: number) =>
  Array.from({ length: 673 }, (_, i) => ({ measurement: READINGS_MEASUREMENT, tags: readingTags(e.id, `${e.id}-main`), fields: { [READING_FIELDS.value]: kWhPerHour * i }, timestampMs: february.start + i * HOUR }));

const target = (id: string, holder: Target['holder'], value: number, enteredAt: string): Target => ({
  id, holder, year: 2026, metric: 'energy-total', basis: 'equivalent', value, document: 'provincial plan 2026', enteredBy: 'regulator-key', enteredAt,
});

function harness() {
  const { store, published, restated, deps } = engineHarness();
  const run = (e: Enterprise) =>
    aggregateEnterprise(deps, { enterprise: e, factorSet, registryVersion: registryVersion(e), kinds: ['month'], range: february, now: NOW, regionEnterprises: [foundry, forge] });
  const progress = async (e: Enterprise) => (await readFigures(store, e.id, { start: february.start, end: NOW }, ['month'])).filter((f) => f.measurement === FIGURE_KINDS.targetProgress);
  return { store, published, restated, deps, run, progress };
}

describe("the month unit judges the year against the enterprise's and the region's dual-control targets", () => {
  it('publishes the progress on an enterprise target as of February, projected from February alone', async () => {
    const { store, run, progress } = harness();
    await store.write(readings(foundry, 10));
    await writeTargets(store, [target('tg-foundry', { kind: 'enterprise', enterpriseId: 'foundry' }, 10, '2026-01-15T09:00:00+08:00')]);
    await run(foundry);
    const figures = await progress(foundry);
    // As of February only: March to May have ended but are not accounted (nothing new to judge as of them).
    expect(figures.map((f) => f.periodKey)).toEqual(['2026-02']);
    const feb = figures.find((f) => f.periodKey === '2026-02')!;
    // 672 h × 10 kWh = 6 720 kWh × 0.1229 kgce/kWh = 825.888 kgce = 0.825888 tce to date. No
    // previous year: a uniform profile, February carries 1/12 of the year → 0.825888 × 12 = 9.910656 tce.
    expect(feb.value).toBeCloseTo(9.910656, 9);
    expect(feb.detail[D.toDate]).toBeCloseTo(0.825888, 9);
    expect(feb).toMatchObject({ subject: { [T.region]: 'CN-CQ', [T.metric]: 'energy-total', [T.basis]: 'equivalent' }, unit: 'tce', revision: 0 });
    // One month counted: the rest of the year is taken as anywhere from 0 to twice its estimate, u = 9.084768/√3
    // = 5.245092 (the meters' part, 0.0286 tce, is negligible beside it): U ≈ 10.49 tce. 9.91 + 10.49 > 10: at risk.
    expect(feb.expandedUncertainty).toBeCloseTo(2 * Math.hypot(9.084768 / Math.sqrt(3), (0.825888 * 0.005) / Math.sqrt(3) * 12), 3);
    expect(feb.detail).toMatchObject({ [D.verdict]: 'at-risk', [D.ceiling]: 10, [D.months]: 1, [D.profile]: 'uniform', [D.year]: 2026, [D.judgedAgainst]: 'tg-foundry@10' });
  });

  it('does not count a month below the completeness minimum: March read three days of 31 is judged, not counted', async () => {
    const { store, deps, progress } = harness();
    // February whole, then March 1–3 only: 672 + 72 readings after the first; March's completeness is 72/744 = 9.7 % < 90 %.
    await store.write([...readings(foundry, 10), ...Array.from({ length: 72 }, (_, i) => ({ ...readings(foundry, 10)[0]!, fields: { [READING_FIELDS.value]: 10 * (673 + i) }, timestampMs: february.end + (i + 1) * HOUR }))]);
    await writeTargets(store, [target('tg-foundry', { kind: 'enterprise', enterpriseId: 'foundry' }, 10, '2026-01-15T09:00:00+08:00')]);
    await aggregateEnterprise(
      deps,
      { enterprise: foundry, factorSet, registryVersion: registryVersion(foundry), kinds: ['month'], range: { start: february.start, end: calendarPeriod('2026-03', 'Asia/Shanghai').end }, now: NOW, regionEnterprises: [foundry, forge] },
    );
    const figures = await progress(foundry);
    expect(figures.map((f) => [f.periodKey, f.detail[D.months]])).toEqual([
      ['2026-02', 1],
      ['2026-03', 1],
    ]);
    // As of March the projection is still February's × 12: March's 72 readings are not a month of use.
    expect(figures[1]!.value).toBeCloseTo(9.910656, 9);
  });

  it('restates the progress with reason TARGET_CHANGED when the regulator replaces the target, though its projection did not move', async () => {
    const { store, run, restated } = harness();
    await store.write(readings(foundry, 10));
    await writeTargets(store, [target('tg-foundry', { kind: 'enterprise', enterpriseId: 'foundry' }, 10, '2026-01-15T09:00:00+08:00')]);
    await run(foundry);
    expect(restated).toEqual([]);
    // A ceiling of 40 tce: 9.91 + 10.49 = 20.40 ≤ 40, on track.
    await writeTargets(store, [target('tg-foundry-2', { kind: 'enterprise', enterpriseId: 'foundry' }, 40, '2026-03-02T09:00:00+08:00')]);
    await run(foundry);
    const feb = restated.find((r) => r.periodKey === '2026-02')!;
    expect(restated).toHaveLength(1);
    expect(feb).toMatchObject({ measurement: FIGURE_KINDS.targetProgress, reason: 'TARGET_CHANGED', new: { revision: 1 } });
    expect(feb.old.value).toBe(feb.new.value);
    expect(feb.detail).toBe(`value ${feb.old.value} → ${feb.new.value} tce; verdict at-risk → on-track; judged against tg-foundry@10 → tg-foundry-2@40`);
    // Nothing new: nothing restated.
    await run(foundry);
    expect(restated).toHaveLength(1);
  });

  it("sums the region's enterprises for the region's target, and names an enterprise whose month is missing instead of under-counting", async () => {
    const { store, run } = harness();
    await store.write([...readings(foundry, 10), ...readings(forge, 30)]);
    await writeTargets(store, [target('tg-cq', { kind: 'region', region: 'CN-CQ' }, 100, '2026-01-10T09:00:00+08:00')]);
    // The forge's February is not published yet: the region's February lacks it.
    await run(foundry);
    let region = await readRegionTargetProgress(store, 'CN-CQ', february.start, NOW, fail);
    expect(region).toEqual([]);

    await run(forge);
    region = await readRegionTargetProgress(store, 'CN-CQ', february.start, NOW, fail);
    expect(region.map((r) => r.asOf)).toEqual(['2026-02']);
    const feb = region[0]!;
    // (10 + 30) kWh × 672 h = 26 880 kWh × 0.1229 kgce/kWh = 3 303.552 kgce = 3.303552 tce; uniform profile: × 12 = 39.642624 tce.
    expect(feb.toDate).toBeCloseTo(3.303552, 9);
    expect(feb.projection).toBeCloseTo(39.642624, 9);
    expect(feb).toMatchObject({ region: 'CN-CQ', metric: 'energy-total', basis: 'equivalent', targetId: 'tg-cq', ceiling: 100, unit: 'tce', months: 1, profile: 'uniform', enterprises: ['forge', 'foundry'], missing: [] });
    // U ≈ 2 × 36.339072/√3 = 41.96: 39.64 + 41.96 = 81.60 ≤ 100, on track.
    expect(feb.status).toBe('on-track');
  });
});
