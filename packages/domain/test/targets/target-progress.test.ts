import { describe, expect, it } from 'vitest';
import {
  ACTUAL_QUANTITIES,
  isDomainError,
  regionMonths,
  TARGET_STATUS_RULES,
  TARGET_STATUSES,
  targetProgress,
  type Estimate,
  type MonthlyActuals,
  type Target,
  type TargetDraft,
  type TargetProgress,
  type TargetProjection,
} from '../../src/index.ts';

const target = (draft: Partial<TargetDraft> & Pick<TargetDraft, 'metric' | 'value'>): Target => ({
  id: 't1',
  holder: { kind: 'region', region: 'CN-CQ' },
  year: 2026,
  document: 'provincial dual-control plan 2026',
  enteredBy: 'regulator-key',
  enteredAt: '2026-01-05T09:00:00+08:00',
  ...draft,
});

/** The projection of a progress that has one. */
function projectionOf(p: TargetProgress): TargetProjection {
  if (p.projection === null) throw new Error(`no projection: ${p.detail}`);
  return p.projection;
}

/** [value − U, value + U]. */
const band = (e: Estimate): [number, number] => [e.value - e.expandedUncertainty, e.value + e.expandedUncertainty];

/** Months of a year from lists of monthly values, the first list element being January. */
function months(year: number, energy: readonly number[], uEnergy: number, valueAdded?: readonly number[], uValueAdded = 0): MonthlyActuals[] {
  return energy.map((e, i) => ({
    month: `${year}-${String(i + 1).padStart(2, '0')}`,
    energy: { equivalent: { value: e, u: uEnergy } },
    ...(valueAdded === undefined ? {} : { valueAdded: { value: valueAdded[i]!, u: uValueAdded } }),
  }));
}

describe('worked example: a region energy-intensity target with a growing and an improving enterprise (issue 16)', () => {
  // Previous year (2025), tce and 10^4 CNY per month, January first.
  // A, growing, flat intensity 2.0:      energy 800 700 900 900 900 900 1000 1000 1000 1000 900 900  Σ 10 900
  //                                      value added 400 350 450 450 450 450 500 500 500 500 450 450  Σ 5 450
  // B, improving, intensity 2.4:         energy 1200 every month Σ 14 400, value added 500 every month Σ 6 000
  const aEnergy2025 = [800, 700, 900, 900, 900, 900, 1000, 1000, 1000, 1000, 900, 900];
  const aValueAdded2025 = aEnergy2025.map((e) => e / 2);
  const bEnergy2025 = Array<number>(12).fill(1200);
  const bValueAdded2025 = Array<number>(12).fill(500);
  // This year (2026), January to March:
  // A grows: energy +10 % (880 770 990), value added +8 % (432 378 486): its intensity rises, 2640/1296 = 2.037 > 2.0.
  // B improves: energy 1140 1150 1120, value added 520 515 530: intensity 3410/1565 = 2.179 < 2.4.
  // Meters: A's energy u = 8 tce, B's 6 tce a month; value added u = 3 (A) and 4 (B).
  const a = [...months(2025, aEnergy2025, 8, aValueAdded2025, 3), ...months(2026, [880, 770, 990], 8, [432, 378, 486], 3)];
  const b = [...months(2025, bEnergy2025, 6, bValueAdded2025, 4), ...months(2026, [1140, 1150, 1120], 6, [520, 515, 530], 4)];
  const region = regionMonths(['a', 'b'], [{ enterpriseId: 'a', months: a }, { enterpriseId: 'b', months: b }]);
  // Ceiling 2.12 tce/10^4 CNY: 4 % below the region's 2025 intensity, 25 300 / 11 450 = 2.2096.
  const progress = targetProgress(target({ metric: 'energy-intensity', basis: 'equivalent', value: 2.12 }), region, '2026-03');

  it('sums the region month by month', () => {
    // Region 2026: energy 2020 1920 2110 (u √(8²+6²) = 10), value added 952 893 1016 (u √(3²+4²) = 5).
    expect(region.find((m) => m.month === '2026-02')!.energy.equivalent).toEqual({ value: 1920, u: 10 });
    expect(region.find((m) => m.month === '2026-03')!.valueAdded).toEqual({ value: 1016, u: 5 });
    expect(progress.monthsCounted).toEqual(['2026-01', '2026-02', '2026-03']);
    expect(progress.monthsNotCounted).toEqual([]);
  });

  it("gives the region's year-to-date intensity with its uncertainty", () => {
    // Σ energy 2020 + 1920 + 2110 = 6050 tce, u = √(3 × 10²) = 17.3205
    // Σ value added 952 + 893 + 1016 = 2861, u = √(3 × 5²) = 8.6603
    // intensity 6050 / 2861 = 2.114645
    // u = 2.114645 × √((17.3205/6050)² + (8.6603/2861)²) = 2.114645 × √(8.1967e-6 + 9.1628e-6)
    //   = 2.114645 × 0.0041665 = 0.0088105
    expect(progress.toDate!.value).toBeCloseTo(2.114645, 6);
    expect(progress.toDate!.u).toBeCloseTo(0.0088105, 6);
    expect(progress.toDate!.expandedUncertainty).toBeCloseTo(0.017621, 5);
  });

  it("projects energy and value added on the region's 2025 profile, then divides", () => {
    // Region 2025 energy pᵢ: 2000 1900 2100 2100 2100 2100 2200 2200 2200 2200 2100 2100, Σ 25 300; Jan-Mar 6000, rest 19 300.
    // s = 6000 / 25 300 = 0.237154; projected energy = 6050 / s = 6050 × 25 300 / 6000 = 25 510.833 tce.
    //   meters: u = 17.3205 / 0.237154 = 73.0348
    //   profile: g = 6050 / 6000 = 1.0083333; residuals xᵢ − g·pᵢ: 2020 − 2016.667 = 3.3333, 1920 − 1915.833 = 4.1667,
    //   2110 − 2117.5 = −7.5; σ² = (3.3333²/2000 + 4.1667²/1900 + 7.5²/2100) / 2 = (0.0055556 + 0.0091374 + 0.0267857) / 2
    //   = 0.0207393; u² = 0.0207393 × 19 300 × 25 300 / 6000 = 1687.80, u = 41.0829
    // Region 2025 value added qᵢ: 900 850 950 950 950 950 1000 1000 1000 1000 950 950, Σ 11 450; Jan-Mar 2700, rest 8750.
    // s = 2700 / 11 450 = 0.235808; projected value added = 2861 × 11 450 / 2700 = 12 132.759.
    //   meters: u = 8.6603 / 0.235808 = 36.7259
    //   profile: g = 2861 / 2700 = 1.0596296; residuals 952 − 953.667 = −1.6667, 893 − 900.685 = −7.6852,
    //   1016 − 1006.648 = 9.3519; σ² = (1.6667²/900 + 7.6852²/850 + 9.3519²/950) / 2 = (0.0030864 + 0.0694848 + 0.0920601) / 2
    //   = 0.0823157; u² = 0.0823157 × 8750 × 11 450 / 2700 = 3054.45, u = 55.2670
    // Projected intensity 25 510.833 / 12 132.759 = 2.102641.
    //   meters:  2.102641 × √((73.0348/25 510.833)² + (36.7259/12 132.759)²) = 2.102641 × √(8.1961e-6 + 9.1627e-6) = 0.0087604
    //   profile: 2.102641 × √((41.0829/25 510.833)² + (55.2670/12 132.759)²) = 2.102641 × √(2.5934e-6 + 2.0750e-5) = 0.0101589
    //   u = √(0.0087604² + 0.0101589²) = 0.0134145, U = 2u = 0.026829
    const p = projectionOf(progress);
    expect(p.profile).toBe('previous-year');
    expect(p.profileNote).toBeNull();
    expect(p.value).toBeCloseTo(2.102641, 6);
    expect(p.uMeasurement).toBeCloseTo(0.0087604, 6);
    expect(p.uProfile).toBeCloseTo(0.0101589, 6);
    expect(p.u).toBeCloseTo(0.0134145, 6);
    expect(p.expandedUncertainty).toBeCloseTo(0.026829, 5);
  });

  it('is at risk: the projection is under the ceiling but its band reaches it', () => {
    // 2.102641 + 0.026829 = 2.129470 > 2.12; not exceeded (an intensity is judged at year end).
    expect(band(projectionOf(progress))[1]).toBeCloseTo(2.12947, 5);
    expect(progress.status).toBe('at-risk');
    expect(progress.rule).toBe(TARGET_STATUS_RULES['at-risk']);
    // margin 2.12 − 2.102641 = 0.017359; to date 2.114645 / 2.12 = 0.997474 of the ceiling
    expect(progress.margin).toBeCloseTo(0.017359, 6);
    expect(progress.shareOfCeilingToDate).toBeCloseTo(0.997474, 6);
  });

  it('is on track against a ceiling above the band', () => {
    // 2.129470 ≤ 2.14
    const looser = targetProgress(target({ metric: 'energy-intensity', basis: 'equivalent', value: 2.14 }), region, '2026-03');
    expect(looser.status).toBe('on-track');
    expect(looser.rule).toBe(TARGET_STATUS_RULES['on-track']);
  });
});

describe('target status rules (issue 16)', () => {
  it('is exceeded when a total to date is already clearly above the ceiling', () => {
    // Six months of 1000 tce, u 10 each: to date 6000, u = √(6 × 100) = 24.495, U = 48.990; 6000 − 48.990 = 5951.0 > 5000.
    const p = targetProgress(target({ metric: 'energy-total', basis: 'equivalent', value: 5000 }), months(2026, [1000, 1000, 1000, 1000, 1000, 1000], 10), '2026-06');
    expect(p.toDate!.value).toBeCloseTo(6000, 9);
    expect(p.toDate!.expandedUncertainty).toBeCloseTo(48.990, 3);
    expect(p.status).toBe('exceeded');
    expect(p.rule).toBe(TARGET_STATUS_RULES.exceeded);
    // 6000 / 5000 = 1.2 of the year's allowance used
    expect(p.shareOfCeilingToDate).toBeCloseTo(1.2, 9);
  });

  it('does not call an intensity exceeded before year end, however high so far', () => {
    // Six months of CO2 100 t and value added 40: intensity 2.5 against a ceiling of 2.0; the second half can still bring it down.
    const co2 = (n: number): MonthlyActuals[] =>
      Array.from({ length: n }, (_, i) => ({ month: `2026-${String(i + 1).padStart(2, '0')}`, energy: {}, co2: { value: 100, u: 1 }, valueAdded: { value: 40, u: 0.5 } }));
    const half = targetProgress(target({ metric: 'carbon-intensity', value: 2.0 }), co2(6), '2026-06');
    expect(half.status).toBe('at-risk');
    // At year end: CO2 1200 t, u = √12 = 3.4641; value added 480, u = √(12 × 0.25) = 1.7321; intensity 2.5,
    // u = 2.5 × √((3.4641/1200)² + (1.7321/480)²) = 2.5 × √(8.3333e-6 + 1.3021e-5) = 0.011553, U = 0.023106.
    // 2.5 − 0.023106 = 2.476894 > 2.4: exceeded.
    const year = targetProgress(target({ metric: 'carbon-intensity', value: 2.4 }), co2(12), '2026-12');
    expect(year.projection!.value).toBeCloseTo(2.5, 9);
    expect(year.projection!.uProfile).toBe(0);
    expect(year.projection!.expandedUncertainty).toBeCloseTo(0.023106, 5);
    expect(year.status).toBe('exceeded');
    // Against 2.49 the year's 2.5 is within U (2.476894 ≤ 2.49 < 2.523106): not decidable, at risk.
    expect(targetProgress(target({ metric: 'carbon-intensity', value: 2.49 }), co2(12), '2026-12').status).toBe('at-risk');
  });

  it('has no data before a month counts', () => {
    const none = targetProgress(target({ metric: 'energy-total', basis: 'equivalent', value: 5000 }), [], '2026-04');
    expect(none.status).toBe('no-data');
    expect(none.rule).toBe(TARGET_STATUS_RULES['no-data']);
    expect(none.toDate).toBeNull();
    expect(none.projection).toBeNull();
    expect(none.margin).toBeNull();
    expect(none.monthsNotCounted.map((m) => m.month)).toEqual(['2026-01', '2026-02', '2026-03', '2026-04']);
    // As of a month before the target's year nothing of the year is due.
    const early = targetProgress(target({ metric: 'energy-total', basis: 'equivalent', value: 5000 }), months(2026, [1], 0), '2025-12');
    expect(early.status).toBe('no-data');
    expect(early.monthsNotCounted).toEqual([]);
  });

  it('takes energy on the basis the target states', () => {
    const both: MonthlyActuals[] = [{ month: '2026-01', energy: { equivalent: { value: 100, u: 0 }, equalValue: { value: 250, u: 0 } } }];
    expect(targetProgress(target({ metric: 'energy-total', basis: 'equal-value', value: 5000 }), both, '2026-01').toDate!.value).toBe(250);
    expect(targetProgress(target({ metric: 'energy-total', basis: 'equivalent', value: 5000 }), both, '2026-01').toDate!.value).toBe(100);
  });
});

describe('projection profile (issue 16)', () => {
  it('falls back to a uniform profile without a complete previous year, and says so', () => {
    // 2025 lacks April. 2026 Jan-Mar: 90, 100, 110 tce, u 2 each. Uniform: s = 3/12 = 0.25, projection 300 / 0.25 = 1200.
    // meters: √(3 × 4) / 0.25 = 3.4641 × 4 = 13.8564
    // profile (pᵢ = 1): g = 300 / 3 = 100; residuals −10, 0, 10; σ² = (100 + 0 + 100) / 2 = 100;
    //   u² = 100 × 9 × 12 / 3 = 3600, u = 60
    // u = √(13.8564² + 60²) = √(192 + 3600) = √3792 = 61.5792, U = 123.158
    const previous = months(2025, [100, 100, 100, 100, 100, 100, 100, 100, 100, 100, 100, 100], 1).filter((m) => m.month !== '2025-04');
    const data = [...previous, ...months(2026, [90, 100, 110], 2)];
    const p = targetProgress(target({ metric: 'energy-total', basis: 'equivalent', value: 1400 }), data, '2026-03');
    expect(p.projection!.profile).toBe('uniform');
    expect(p.projection!.profileNote).toBe('energy-equivalent: the previous year lacks month 4: uniform profile');
    expect(p.projection!.value).toBeCloseTo(1200, 9);
    expect(p.projection!.uMeasurement).toBeCloseTo(13.8564, 4);
    expect(p.projection!.uProfile).toBeCloseTo(60, 9);
    expect(p.projection!.u).toBeCloseTo(61.5792, 4);
    // 1200 + 123.158 = 1323.16 ≤ 1400: on track; ≤ 1300 would not be.
    expect(p.status).toBe('on-track');
    expect(targetProgress(target({ metric: 'energy-total', basis: 'equivalent', value: 1300 }), data, '2026-03').status).toBe('at-risk');
  });

  it('takes the rest of the year as 0 to twice its projection when one month is all there is', () => {
    // January 100 tce, u 2; uniform: projection 100 × 12 = 1200; rest 1100, u = 1100 / √3 = 635.085;
    // meters 2 × 12 = 24; u = √(635.085² + 24²) = √(403 333.3 + 576) = 635.539
    const p = targetProgress(target({ metric: 'energy-total', basis: 'equivalent', value: 2000 }), months(2026, [100], 2), '2026-01');
    expect(p.projection!.uProfile).toBeCloseTo(635.085, 3);
    expect(p.projection!.u).toBeCloseTo(635.539, 3);
    expect(p.status).toBe('at-risk');
  });
});

describe('a region month an enterprise lacks (issue 16)', () => {
  it('is not counted, names the enterprise, and the projection rests on the months that are', () => {
    // a: Jan-Mar energy 100, value added 50. b: January energy 100, value added 50; February energy 100 without value added;
    // no March. Neither has a previous year, so the profile is uniform.
    const a = months(2026, [100, 100, 100], 1, [50, 50, 50], 1);
    const b: MonthlyActuals[] = [...months(2026, [100], 1, [50], 1), { month: '2026-02', energy: { equivalent: { value: 100, u: 1 } } }];
    const region = regionMonths(['a', 'b'], [{ enterpriseId: 'a', months: a }, { enterpriseId: 'b', months: b }]);
    const intensity = targetProgress(target({ metric: 'energy-intensity', basis: 'equivalent', value: 3 }), region, '2026-03');
    expect(intensity.monthsCounted).toEqual(['2026-01']);
    expect(intensity.monthsNotCounted).toEqual([
      { month: '2026-02', reason: 'b lacks value-added' },
      { month: '2026-03', reason: 'b lacks energy-equivalent and value-added' },
    ]);
    // Only January: 200 tce / 100 = 2.0 to date; the projection of each over a uniform year is ×12, the intensity stays 2.0.
    expect(intensity.toDate!.value).toBeCloseTo(2, 9);
    expect(intensity.projection!.value).toBeCloseTo(2, 9);
    // The total needs no value added: January and February count (200 + 200 = 400), s = 2/12, projection 2400.
    const total = targetProgress(target({ metric: 'energy-total', basis: 'equivalent', value: 5000 }), region, '2026-03');
    expect(total.monthsCounted).toEqual(['2026-01', '2026-02']);
    expect(total.toDate!.value).toBeCloseTo(400, 9);
    expect(total.projection!.value).toBeCloseTo(2400, 9);
  });
});

describe('hostile input (issue 16)', () => {
  const fieldOf = (f: () => unknown): unknown => {
    try {
      f();
    } catch (e) {
      if (isDomainError(e)) return `${e.code} ${String(e.details.field)}`;
      throw e;
    }
    return 'no error';
  };
  it('states a distinct rule for every status', () => {
    const rules = TARGET_STATUSES.map((s) => TARGET_STATUS_RULES[s]);
    expect(rules.every((r) => r.length > 0)).toBe(true);
    expect(new Set(rules).size).toBe(TARGET_STATUSES.length);
  });

  it('names the quantity of a value that is not a number, whichever it is', () => {
    const t = target({ metric: 'energy-total', basis: 'equivalent', value: 5000 });
    const bad = { value: Number.NaN, u: 0 };
    const withBad: Record<(typeof ACTUAL_QUANTITIES)[number], MonthlyActuals> = {
      'energy-equivalent': { month: '2026-01', energy: { equivalent: bad } },
      'energy-equal-value': { month: '2026-01', energy: { equalValue: bad } },
      co2: { month: '2026-01', energy: {}, co2: bad },
      'value-added': { month: '2026-01', energy: {}, valueAdded: bad },
    };
    for (const q of ACTUAL_QUANTITIES) expect(fieldOf(() => targetProgress(t, [withBad[q]], '2026-01'))).toBe(`MTL_DOMAIN_TARGET_ACTUALS_INVALID months 2026-01.${q}.value`);
  });

  it('names the field of a bad month, a month given twice, a bad asOf or a missing basis', () => {
    const t = target({ metric: 'energy-total', basis: 'equivalent', value: 5000 });
    expect(fieldOf(() => targetProgress(t, [], '2026-1'))).toBe('MTL_DOMAIN_TARGET_ACTUALS_INVALID asOf');
    expect(fieldOf(() => targetProgress(t, [...months(2026, [1], 0), ...months(2026, [2], 0)], '2026-01'))).toBe('MTL_DOMAIN_TARGET_ACTUALS_INVALID months 2026-01.month');
    expect(fieldOf(() => targetProgress(t, months(2026, [Number.POSITIVE_INFINITY], 0), '2026-01'))).toBe('MTL_DOMAIN_TARGET_ACTUALS_INVALID months 2026-01.energy-equivalent.value');
    const { basis: _, ...noBasis } = t;
    expect(fieldOf(() => targetProgress(noBasis, [], '2026-01'))).toBe('MTL_DOMAIN_TARGET_INVALID basis');
  });
});
