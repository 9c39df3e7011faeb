import { describe, expect, it } from 'vitest';
import { FIGURE_KINDS, type FigureV1 } from '@meterline/contracts';
import { calendarPeriod, createFactorCatalog, loadLimitStandards, parseManifest, SHIPPED_LIMIT_STANDARDS, type Enterprise, type LimitStandards } from '@meterline/domain';
import { COMPLIANCE_SPANS, FIGURE_DETAIL_FIELDS as D, FIGURE_TAGS as T, READING_FIELDS, READINGS_MEASUREMENT, readFigures, readingTags } from '@meterline/series';
import { aggregateEnterprise } from '../src/aggregate-enterprise.ts';
import { registryVersion } from '../src/registry-version.ts';
import { engineHarness } from './engine-harness.ts';

/**
 * Issue 16, item 3: each month unit judges the enterprise's products mapped to a limit standard,
 * the month alone and the year to date. A clinker kiln whose only energy is electricity, read
 * hourly by its main meter, 1 000 kWh an hour in February and March 2026 (Asia/Shanghai).
 */
const kiln = (accuracyClass: number, production: Array<[string, number]>): Enterprise => {
  const parsed = parseManifest(
    `
version: 1
enterprises:
  - id: kiln
    name: Kiln
    region: CN-CQ
    gridRegion: southwest
    timeZone: Asia/Shanghai
    factorSet: { name: cn-2023, version: 1.0.0 }
    scope2Level: provincial
    sites:
      - id: line1
        name: Line 1
        meteringPoints:
          - { id: main, carrier: electricity, quantity: active-energy-import, unit: kWh, accuracyClass: ${accuracyClass}, expectedInterval: PT1H,
              calibration: { certificate: c, validFrom: 2024-01-01, validUntil: 2029-12-31 }, topology: { role: boundary-input } }
    devices: []
    production:
${production.map(([month, t]) => `      - { period: '${month}', product: clinker, value: ${t}, unit: t, site: line1 }`).join('\n')}
    products:
      - { product: clinker, limitProduct: cement-clinker, site: line1, plant: existing }
`,
    'kiln.yaml',
  );
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  return parsed.manifest.enterprises[0]!;
};

/**
 * A deployment's own limit file: the shipped set with the clinker grades marked confirmed, as a
 * regulator who checked GB 16780-2021's Table 2 would (the shipped values are unconfirmed and
 * never judged against).
 */
function confirmedClinker(): LimitStandards {
  const data = structuredClone(SHIPPED_LIMIT_STANDARDS) as { version: string; products: Array<{ id: string; grades: Record<string, { confirmed: boolean; source: string | null }> }> };
  data.version = '1.0.0+confirmed';
  const clinker = data.products.find((p) => p.id === 'cement-clinker')!;
  for (const grade of Object.values(clinker.grades)) Object.assign(grade, { confirmed: true, source: 'GB 16780-2021, Table 2 (checked by the deployment)' });
  return loadLimitStandards(data);
}

const factorSet = (() => {
  const r = createFactorCatalog().resolve('cn-2023', '1.0.0');
  if (!r.ok) throw r.error;
  return r.factor;
})();
const HOUR = 3_600_000;
const february = calendarPeriod('2026-02', 'Asia/Shanghai');
const march = calendarPeriod('2026-03', 'Asia/Shanghai');
const NOW = Date.UTC(2026, 5, 1);

/** 1 000 kWh an hour, read on the hour from 1 Feb to 1 Apr: 672 + 744 = 1 416 intervals. */
const readings = Array.from({ length: 1417 }, (_, i) => ({ measurement: READINGS_MEASUREMENT, tags: readingTags('kiln', 'main'), fields: { [READING_FIELDS.value]: 1000 * i }, timestampMs: february.start + i * HOUR }));

async function judged(enterprise: Enterprise, limits: LimitStandards): Promise<FigureV1[]> {
  const { store, deps } = engineHarness({ limits });
  await store.write(readings);
  await aggregateEnterprise(deps, { enterprise, factorSet, registryVersion: registryVersion(enterprise), kinds: ['month'], range: { start: february.start, end: march.end }, now: NOW });
  return (await readFigures(store, 'kiln', { start: february.start, end: NOW }, ['month'])).filter((f) => f.measurement === FIGURE_KINDS.limitCompliance);
}

const one = (figures: FigureV1[], month: string, span: string) => {
  const found = figures.filter((f) => f.periodKey === month && f.subject[T.span] === span);
  expect(found, `${month} ${span}`).toHaveLength(1);
  return found[0]!;
};

describe("the month unit judges the enterprise's products against their limit standards", () => {
  it('clearly above the limit: class 0.5 meter, 700 t of clinker in February', async () => {
    const figures = await judged(kiln(0.5, [['2026-02', 700], ['2026-03', 930]]), confirmedClinker());
    const feb = one(figures, '2026-02', COMPLIANCE_SPANS.month);
    // 672 h × 1 000 kWh × 0.1229 kgce/kWh = 82 588.8 kgce over 700 t = 117.984 kgce/t. Class 0.5: u_rel = 0.5 %/√3,
    // U = 2 × 0.288675 % × 117.984 = 0.681182 kgce/t; 117.984 − 0.681 = 117.303 > 117 (limit): clearly above.
    expect(feb.value).toBeCloseTo(117.984, 9);
    expect(feb.expandedUncertainty).toBeCloseTo((2 * 0.005 * 117.984) / Math.sqrt(3), 9);
    expect(feb).toMatchObject({ unit: 'kgce/t', subject: { [T.region]: 'CN-CQ', [T.product]: 'clinker', [T.standard]: 'cement-clinker', [T.span]: 'month', [T.site]: 'line1' } });
    expect(feb.detail).toMatchObject({
      [D.verdict]: 'clearly-above', [D.bindingGrade]: 'limit', [D.standardNumber]: 'GB 16780-2021', [D.clause]: '4.2, Table 2, grade 3',
      [D.limitValue]: 117, [D.limitVerdict]: 'clearly-above', [D.accessValue]: 107, [D.accessVerdict]: 'clearly-above', [D.advancedValue]: 100, [D.advancedVerdict]: 'clearly-above',
      [D.months]: 1, [D.production]: 700, [D.judgedAgainst]: 'cn-energy-limit-standards@1.0.0+confirmed',
    });
    // March: 744 h × 1 000 kWh × 0.1229 = 91 437.6 kgce over 930 t = 98.320 kgce/t, below every grade.
    // Year to date: (82 588.8 + 91 437.6) kgce / (700 + 930) t = 174 026.4 / 1 630 = 106.764663 kgce/t; the same
    // meter both months, so the tce uncertainties add linearly: U = 2 × 0.288675 % × 106.764663 = 0.616406 kgce/t.
    // 106.765 + 0.616 = 107.381 > 107 (access) but ≤ 117 (limit): clearly below the limit, undecidable against access.
    const ytd = one(figures, '2026-03', COMPLIANCE_SPANS.yearToDate);
    expect(ytd.value).toBeCloseTo(174_026.4 / 1_630, 9);
    expect(ytd.expandedUncertainty).toBeCloseTo((2 * 0.005 * (174_026.4 / 1_630)) / Math.sqrt(3), 9);
    expect(ytd.detail).toMatchObject({ [D.verdict]: 'clearly-below', [D.accessVerdict]: 'undecidable', [D.advancedVerdict]: 'clearly-above', [D.months]: 2, [D.production]: 1_630 });
  });

  it('not decidable at the data’s quality: the same month with a class 2.0 meter', async () => {
    const figures = await judged(kiln(2, [['2026-02', 700]]), confirmedClinker());
    // U = 2 × 2 %/√3 × 117.984 = 2.724724 kgce/t; 117.984 − 2.725 = 115.26 ≤ 117 ≤ 120.71: the band straddles the limit.
    const feb = one(figures, '2026-02', COMPLIANCE_SPANS.month);
    expect(feb.expandedUncertainty).toBeCloseTo((2 * 0.02 * 117.984) / Math.sqrt(3), 9);
    expect(feb.detail[D.verdict]).toBe('undecidable');
  });

  it('never judges against an unconfirmed value: the shipped set gives the figure and no verdict', async () => {
    const figures = await judged(kiln(0.5, [['2026-02', 700]]), loadLimitStandards());
    const feb = one(figures, '2026-02', COMPLIANCE_SPANS.month);
    expect(feb.value).toBeCloseTo(117.984, 9);
    expect(feb.detail).toMatchObject({ [D.verdict]: 'unconfirmed', [D.limitVerdict]: 'unconfirmed', [D.accessVerdict]: 'unconfirmed', [D.advancedVerdict]: 'unconfirmed' });
    expect(feb.detail[D.limitValue]).toBeUndefined();
  });
});
