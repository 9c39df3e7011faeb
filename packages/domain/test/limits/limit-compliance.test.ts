import { describe, expect, it } from 'vitest';
import {
  assessLimitCompliance,
  loadLimitStandards,
  monthUnitConsumption,
  yearToDatePerUnit,
  yearToDateUnitConsumption,
  type Figure,
  type LimitProduct,
  type ProductLimitMapping,
} from '../../src/index.ts';
import type { IntensityFigures } from '../../src/figures/enterprise-figures.ts';

/**
 * A deployment's own limit file (the shipped one has no confirmed value yet). The values are
 * round numbers for worked examples, not any standard's.
 */
const grade = (value: number, clause: string) => ({ value, clause, confirmed: true, source: 'worked example, not a standard value' });
const deployment = loadLimitStandards({
  id: 'worked-examples',
  version: '1',
  title: 'Worked examples',
  products: [
    {
      id: 'clinker-example',
      name: 'Clinker (example)',
      indicator: 'unit-product comprehensive energy consumption',
      standard: { number: 'GB 99999', year: 2026, title: 'Worked example' },
      boundary: { counted: 'the clinker line', electricity: 'equivalent', confirmed: true, source: 'worked example' },
      unit: 'kgce/t',
      grades: { limit: grade(120, '4.1'), access: grade(110, '4.2'), advanced: { ...grade(100, '4.3'), electricity: 'equal-value' } },
    },
  ],
});
const clinker = deployment.products.get('clinker-example')!;
const existing: ProductLimitMapping = { product: 'clinker', limitProduct: 'clinker-example', site: 'kiln-1', plant: 'existing' };
const fresh: ProductLimitMapping = { ...existing, plant: 'new' };

/** A month's intensity figure in tce per production unit. */
function intensity(value: number, expandedUncertainty: number, productionUnit = 't', completenessPercent = 100): IntensityFigures {
  const tcePerUnit: Figure = {
    value, unit: `tce/${productionUnit}`, expandedUncertainty, coverageFactor: 2, coveragePercent: 100, completenessPercent,
    quality: { flags: [], estimated: 0, suspectIntervals: 0, readingsOutsideCalibration: 0, readingsReceived: 2976, readingsExpected: 2976, rollovers: 0 },
    factorSet: 'cn-2023@1.0.0',
  };
  return { product: 'clinker', siteId: 'kiln-1', production: 100_000, productionUnit, productionRelativeU: 0, tcePerUnit, tCO2PerUnit: null };
}

const month = (figure: IntensityFigures | null, product: LimitProduct = clinker, mapping = existing) =>
  assessLimitCompliance(mapping, product, monthUnitConsumption(figure, product));
const verdicts = (r: ReturnType<typeof month>) => Object.fromEntries(r.grades.map((g) => [g.grade, g.verdict]));

describe('limit compliance of a month (issue 16)', () => {
  it('a kiln clearly above its limit value', () => {
    // 13 000 tce for 100 000 t of clinker = 0.13 tce/t = 130 kgce/t; U 1 % = 1.3 kgce/t.
    // 130 − 1.3 = 128.7 > 120: clearly above the limit value, margin 120 − 130 = −10 kgce/t.
    const r = month(intensity(0.13, 0.0013));
    expect(r.unitConsumption?.value).toBeCloseTo(130, 9);
    expect(r.unitConsumption?.expandedUncertainty).toBeCloseTo(1.3, 9);
    expect(r.unitConsumption?.unit).toBe('kgce/t');
    expect(r.bindingGrade).toBe('limit');
    expect(r.verdict).toBe('clearly-above');
    expect(r.grades[0]!.margin).toBeCloseTo(-10, 9);
    expect(r.standard).toEqual({ id: 'GB 99999-2026', number: 'GB 99999', year: 2026, title: 'Worked example' });
    expect([r.product, r.site, r.limitProduct, r.plant]).toEqual(['clinker', 'kiln-1', 'clinker-example', 'existing']);
  });

  it('a kiln clearly below its limit and access values, and above the advanced value when that counts electricity alike', () => {
    // 0.105 tce/t = 105 kgce/t, U = 1.05: 105 + 1.05 = 106.05 ≤ 120 (margin 15) and ≤ 110 (margin 5).
    const r = month(intensity(0.105, 0.00105), clinker, fresh);
    expect(r.bindingGrade).toBe('access');
    expect(r.verdict).toBe('clearly-below');
    expect(r.grades.map((g) => g.margin)).toEqual([expect.closeTo(15, 9), expect.closeTo(5, 9), null]);
    // The example's advanced value counts electricity at its equal value, the figure at its equivalent value.
    expect(verdicts(r)).toEqual({ limit: 'clearly-below', access: 'clearly-below', advanced: 'not-applicable' });
    expect(r.issues.map((i) => i.code)).toEqual(['MTL_DOMAIN_LIMIT_BASIS_MISMATCH']);
  });

  it('undecidable when class 2.0 meters make U span the limit value; class 1.0 meters would decide', () => {
    // 11 800 tce / 100 000 t = 118 kgce/t, all metered by class 2.0 meters (systematic, one relative error):
    // u = 2 % / √3 = 1.1547 %, U = 2 × 1.1547 % × 118 = 2.7251 kgce/t.
    // 118 − 2.7251 = 115.27 ≤ 120 and 118 + 2.7251 = 120.73 > 120: the interval straddles the limit value.
    // Deciding needs U ≤ 120 − 118 = 2 kgce/t; class 1.0 meters give U = 2 × 1 %/√3 × 118 = 1.3625 kgce/t.
    const class2 = 0.118 * 2 * (0.02 / Math.sqrt(3));
    const r = month(intensity(0.118, class2));
    expect(r.unitConsumption?.expandedUncertainty).toBeCloseTo(2.7251, 4);
    expect(r.verdict).toBe('undecidable');
    expect(r.grades[0]!.decidingExpandedUncertainty).toBeCloseTo(2, 9);
    expect(r.grades[0]!.margin).toBeCloseTo(2, 9);
    // A new plant is held to the access value: 118 − 2.7251 = 115.27 > 110, clearly above whatever the meters.
    expect(month(intensity(0.118, class2), clinker, fresh).verdict).toBe('clearly-above');
    const class1 = 0.118 * 2 * (0.01 / Math.sqrt(3));
    expect(month(intensity(0.118, class1)).verdict).toBe('clearly-below');
  });

  it('meets a grade exactly at its value: the standards say "≤"', () => {
    // 0.12 tce/t = 120 kgce/t with U = 0: 120 + 0 ≤ 120.
    expect(month(intensity(0.12, 0)).verdict).toBe('clearly-below');
  });

  it('never judges against an unconfirmed value, however far above it the kiln is', () => {
    const shipped = loadLimitStandards().products.get('cement-clinker')!;
    // 0.2 tce/t = 200 kgce/t, far above any cement limit value, but the shipped values are unconfirmed.
    const r = month(intensity(0.2, 0.002), shipped, { ...existing, limitProduct: 'cement-clinker' });
    expect(verdicts(r)).toEqual({ limit: 'unconfirmed', access: 'unconfirmed', advanced: 'unconfirmed' });
    expect(r.grades.every((g) => g.margin === null)).toBe(true);
    expect(r.unitConsumption?.value).toBeCloseTo(200, 9);
  });

  it('converts a production counted in kg to the standard tonne, and refuses one counted in pieces', () => {
    // 0.000118 tce/kg × 1 000 kg/t × 1 000 kgce/tce = 118 kgce/t.
    expect(month(intensity(0.000118, 0, 'kg')).unitConsumption?.value).toBeCloseTo(118, 9);
    const r = month(intensity(0.5, 0.01, 'pcs'));
    expect(r.unitConsumption).toBeNull();
    expect(r.verdict).toBe('not-applicable');
    expect(r.issues.map((i) => i.code)).toEqual(['MTL_DOMAIN_LIMIT_UNIT_MISMATCH']);
  });

  it('gives no verdict on a missing or incomplete month', () => {
    const missing = month(null);
    expect(verdicts(missing)).toEqual({ limit: 'not-applicable', access: 'not-applicable', advanced: 'not-applicable' });
    expect(missing.issues.map((i) => i.code)).toEqual(['MTL_DOMAIN_LIMIT_FIGURE_MISSING']);
    // 80 % of the readings due is below the platforms' 90 %.
    const incomplete = month(intensity(0.13, 0.0013, 't', 80));
    expect(incomplete.verdict).toBe('not-applicable');
    expect(incomplete.issues[0]!.message).toContain('80.0 %');
  });
});

describe('year-to-date unit consumption (issue 16)', () => {
  // Three months of one kiln, 10 000 t each, output weighed with u = 0.5 %:
  //   tce 1 000 (U 20), 1 100 (U 22), 1 300 (U 26).
  const months = [
    { tce: 1000, tceExpandedUncertainty: 20, output: 10_000, outputRelativeU: 0.005 },
    { tce: 1100, tceExpandedUncertainty: 22, output: 10_000, outputRelativeU: 0.005 },
    { tce: 1300, tceExpandedUncertainty: 26, output: 10_000, outputRelativeU: 0.005 },
  ];

  it('divides the sums and adds the months\' uncertainties linearly (the same meters err alike every month)', () => {
    // T = 3 400 tce, P = 30 000 t, y = 0.113333 tce/t = 113.333 kgce/t.
    // u_T = 10 + 11 + 13 = 34 tce (linear); u_P = 3 × 50 = 150 t (linear).
    // u_y = √((34/30 000)² + (3 400 × 150 / 30 000²)²) = √(0.0011333² + 0.00056667²) = 0.0012671 tce/t.
    // U = 2 × 0.0012671 = 0.0025342 tce/t = 2.5342 kgce/t.
    const perUnit = yearToDatePerUnit(months);
    if (!perUnit.ok) throw new Error(perUnit.issue.message);
    expect(perUnit.value).toBeCloseTo(0.113333, 6);
    expect(perUnit.expandedUncertainty).toBeCloseTo(0.0025342, 7);
    expect(perUnit.months).toBe(3);
    // Quadrature (months independent) would claim U = 1.4702 kgce/t: u_T = √390 = 19.75, u_P = √3 × 50 = 86.6.
    const r = yearToDateUnitConsumption(months, 't', clinker);
    expect(r.ok && r.consumption.expandedUncertainty).toBeCloseTo(2.5342, 4);
    expect(r.ok && r.consumption.expandedUncertainty).toBeGreaterThan(1.4702);
  });

  it('judges the year so far: below the limit value, above the access value', () => {
    // 113.333 + 2.5342 = 115.87 ≤ 120: clearly below; 113.333 − 2.5342 = 110.80 > 110: clearly above.
    const r = assessLimitCompliance(existing, clinker, yearToDateUnitConsumption(months, 't', clinker));
    expect(verdicts(r)).toEqual({ limit: 'clearly-below', access: 'clearly-above', advanced: 'not-applicable' });
    expect(r.grades[1]!.margin).toBeCloseTo(110 - 113.3333, 3);
  });

  it('refuses months that are not numbers, and a year with no month', () => {
    const bad = yearToDatePerUnit([{ ...months[0]!, output: 0 }]);
    expect(bad.ok ? null : bad.issue).toEqual({ code: 'MTL_DOMAIN_LIMIT_INPUT_INVALID', message: 'month 0: output is not a finite number above 0' });
    const nan = yearToDatePerUnit([months[0]!, { ...months[1]!, tceExpandedUncertainty: Number.NaN }]);
    expect(nan.ok ? null : nan.issue.message).toBe('month 1: tceExpandedUncertainty is not a finite number ≥ 0');
    const none = yearToDatePerUnit([]);
    expect(none.ok ? null : none.issue.code).toBe('MTL_DOMAIN_LIMIT_FIGURE_MISSING');
  });
});
