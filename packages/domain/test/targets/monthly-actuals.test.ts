import { describe, expect, it } from 'vitest';
import { isDomainError, regionMonths, type MonthlyActuals } from '../../src/index.ts';

const month = (m: string, energy: number, uEnergy: number, valueAdded?: number, uValueAdded = 0): MonthlyActuals => ({
  month: m,
  energy: { equivalent: { value: energy, u: uEnergy } },
  ...(valueAdded === undefined ? {} : { valueAdded: { value: valueAdded, u: uValueAdded } }),
});

const codeOf = (f: () => unknown): unknown => {
  try {
    f();
  } catch (e) {
    if (isDomainError(e)) return { code: e.code, field: e.details.field };
    throw e;
  }
  return 'no error';
};

describe('regionMonths (issue 16)', () => {
  it('adds the enterprises of a month; u in quadrature, as their meters are independent', () => {
    const region = regionMonths(['a', 'b'], [
      { enterpriseId: 'a', months: [month('2026-01', 880, 8, 432, 3)] },
      { enterpriseId: 'b', months: [month('2026-01', 1140, 6, 520, 4)] },
    ]);
    // energy 880 + 1140 = 2020 tce, u = √(8² + 6²) = √100 = 10 tce
    // value added 432 + 520 = 952 (10^4 CNY), u = √(3² + 4²) = √25 = 5
    expect(region).toHaveLength(1);
    expect(region[0]!.month).toBe('2026-01');
    expect(region[0]!.energy.equivalent!.value).toBeCloseTo(2020, 9);
    expect(region[0]!.energy.equivalent!.u).toBeCloseTo(10, 9);
    expect(region[0]!.valueAdded!.value).toBeCloseTo(952, 9);
    expect(region[0]!.valueAdded!.u).toBeCloseTo(5, 9);
    expect(region[0]!.missing).toEqual([]);
  });

  it('does not count a quantity of a month that an expected enterprise lacks, and names who lacks it', () => {
    const region = regionMonths(['a', 'b', 'c'], [
      { enterpriseId: 'a', months: [month('2026-02', 100, 1, 50, 1), month('2026-03', 100, 1, 50, 1)] },
      // b's February value added is not entered yet; b has no March at all.
      { enterpriseId: 'b', months: [month('2026-02', 200, 1)] },
      // c is expected but sent nothing.
    ]);
    expect(region.map((m) => m.month)).toEqual(['2026-02', '2026-03']);
    const feb = region[0]!;
    expect(feb.energy.equivalent).toBeUndefined();
    expect(feb.valueAdded).toBeUndefined();
    expect(feb.missing).toEqual([
      { enterpriseId: 'b', quantities: ['value-added'] },
      { enterpriseId: 'c', quantities: ['energy-equivalent', 'value-added'] },
    ]);
    expect(region[1]!.missing).toEqual([
      { enterpriseId: 'b', quantities: ['energy-equivalent', 'value-added'] },
      { enterpriseId: 'c', quantities: ['energy-equivalent', 'value-added'] },
    ]);
  });

  it('sums whatever every expected enterprise has: two of two energies count though no value added exists', () => {
    const [m] = regionMonths(['a', 'b'], [
      { enterpriseId: 'a', months: [month('2026-04', 100, 3)] },
      { enterpriseId: 'b', months: [month('2026-04', 200, 4)] },
    ]);
    // 100 + 200 = 300 tce, u = √(9 + 16) = 5; value added reported by nobody is absent, not missing.
    expect(m!.energy.equivalent).toEqual({ value: 300, u: 5 });
    expect(m!.valueAdded).toBeUndefined();
    expect(m!.missing).toEqual([]);
  });

  it('refuses hostile input with the field named', () => {
    const ok = [month('2026-01', 1, 0)];
    expect(codeOf(() => regionMonths(['a'], [{ enterpriseId: 'x', months: ok }]))).toEqual({ code: 'MTL_DOMAIN_TARGET_ACTUALS_INVALID', field: 'enterprises' });
    expect(codeOf(() => regionMonths(['a'], [{ enterpriseId: 'a', months: ok }, { enterpriseId: 'a', months: ok }]))).toEqual({ code: 'MTL_DOMAIN_TARGET_ACTUALS_INVALID', field: 'enterprises' });
    expect(codeOf(() => regionMonths(['a', 'a'], []))).toEqual({ code: 'MTL_DOMAIN_TARGET_ACTUALS_INVALID', field: 'expectedEnterpriseIds' });
    expect(codeOf(() => regionMonths(['a'], [{ enterpriseId: 'a', months: [month('2026-13', 1, 0)] }]))).toEqual({ code: 'MTL_DOMAIN_TARGET_ACTUALS_INVALID', field: 'a.month' });
    expect(codeOf(() => regionMonths(['a'], [{ enterpriseId: 'a', months: [...ok, ...ok] }]))).toEqual({ code: 'MTL_DOMAIN_TARGET_ACTUALS_INVALID', field: 'a 2026-01.month' });
    expect(codeOf(() => regionMonths(['a'], [{ enterpriseId: 'a', months: [month('2026-01', Number.NaN, 0)] }]))).toEqual({
      code: 'MTL_DOMAIN_TARGET_ACTUALS_INVALID',
      field: 'a 2026-01.energy-equivalent.value',
    });
    expect(codeOf(() => regionMonths(['a'], [{ enterpriseId: 'a', months: [month('2026-01', 1, 0, 5, -1)] }]))).toEqual({
      code: 'MTL_DOMAIN_TARGET_ACTUALS_INVALID',
      field: 'a 2026-01.value-added.u',
    });
  });
});
