import { describe, expect, it } from 'vitest';
import { accountEnterprise, createFactorCatalog, parseManifest, type Enterprise, type ManualEntry, type RegisterReading } from '../../src/index.ts';

/**
 * Worked examples of issue 15, item 3: a plant in Chongqing, March 2025, factor set
 * cn-2023@1.0.0. Electricity is metered (100 000 kWh); diesel is never metered: the energy
 * manager enters the tank's stock at each month end and every delivery note.
 */
const MANIFEST = `
version: 1
enterprises:
  - id: plant
    name: Plant
    region: CN-CQ
    gridRegion: southwest
    timeZone: Asia/Shanghai
    factorSet: { name: cn-2023, version: 1.0.0 }
    scope2Level: provincial
    sites:
      - id: s1
        name: Site 1
        meteringPoints:
          - { id: main, carrier: electricity, quantity: active-energy-import, unit: kWh, accuracyClass: 0.5,
              calibration: { certificate: c, validFrom: 2024-01-01, validUntil: 2029-12-31 }, topology: { role: boundary-input } }
    devices: []
    production:
      - { period: 2025-03, product: parts, value: 1000, unit: t }
`;

const START = Date.parse('2025-03-01T00:00:00+08:00');
const END = Date.parse('2025-04-01T00:00:00+08:00');

function setup(): { enterprise: Enterprise; factorSet: Parameters<typeof accountEnterprise>[3] } {
  const parsed = parseManifest(MANIFEST, 'manual.yaml');
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  const fs = createFactorCatalog().resolve('cn-2023', '1.0.0');
  if (!fs.ok) throw fs.error;
  return { enterprise: parsed.manifest.enterprises[0]!, factorSet: fs.factor };
}

// main: 0 -> 100 000 kWh over the month, class 0.5.
const readings = new Map<string, RegisterReading[]>([['main', [{ at: START, value: 0 }, { at: END, value: 100000 }]]]);

let n = 0;
const entry = (over: Partial<ManualEntry> & Pick<ManualEntry, 'kind' | 'period' | 'value' | 'unit'>): ManualEntry => ({
  id: `me-${++n}`,
  enterpriseId: 'plant',
  document: `doc-${n}`,
  enteredBy: 'energy-manager',
  enteredAt: '2025-04-02T09:00:00+08:00',
  ...over,
});

/** February's closing stock, March's two delivery notes and March's closing stock of the diesel tank. */
function dieselMarch() {
  const opening = entry({ kind: 'fuel-stock', period: '2025-02', carrier: 'diesel', value: 12, unit: 't', errorPercent: 1, document: 'stock-take 2025-02' });
  const first = entry({ kind: 'fuel-delivery', period: '2025-03', carrier: 'diesel', value: 20_000, unit: 'kg', errorPercent: 0.5, document: 'DN-0301' });
  const second = entry({ kind: 'fuel-delivery', period: '2025-03-17', carrier: 'diesel', value: 15, unit: 't', errorPercent: 0.5, document: 'DN-0317' });
  const closing = entry({ kind: 'fuel-stock', period: '2025-03-31', carrier: 'diesel', value: 9.5, unit: 't', errorPercent: 1, document: 'stock-take 2025-03' });
  return { opening, first, second, closing, all: [opening, first, second, closing] };
}

describe('a fuel known only by monthly deliveries and stock (worked example)', () => {
  const { enterprise, factorSet } = setup();
  const diesel = dieselMarch();
  const r = accountEnterprise(enterprise, readings, '2025-03', factorSet, { manualEntries: diesel.all });
  const manual = r.points.find((p) => p.id === 'manual:diesel')!;

  it('books opening stock + deliveries − closing stock, with the entries’ uncertainty, flagged manual', () => {
    // 12 t (end of February) + 20 000 kg = 20 t + 15 t − 9.5 t (31 March) = 37.5 t
    expect(manual.consumption.value).toBeCloseTo(37.5, 12);
    expect(manual.consumption.unit).toBe('t');
    expect(manual).toMatchObject({ siteId: 's1', carrier: 'diesel', role: 'boundary-input' });
    // u = a/√3 per entry: (12 × 1 %)² + (9.5 × 1 %)² + (20 × 0.5 %)² + (15 × 0.5 %)² = 0.0144 + 0.009025 + 0.01 + 0.005625 = 0.03905 t²;
    // u = √(0.03905 / 3) = 0.1140906 t; U = 2u = 0.2281812 t
    expect(manual.consumption.expandedUncertainty).toBeCloseTo(0.2281812, 6);
    expect(manual.consumption.quality.flags).toEqual(['manual']);
    expect(manual.consumption.coveragePercent).toBe(100);
    expect(r.manualEntries).toEqual(diesel.all.map((e) => e.id).sort());
  });

  it('converts it to standard coal and scope 1 like a metered fuel', () => {
    // GB/T 2589-2020: 37 500 kg × 1.4571 kgce/kg = 54 641.25 kgce = 54.64125 tce; U = 0.2281812 t × 1.4571 = 0.3324828 tce
    expect(manual.tce!.value).toBeCloseTo(54.64125, 9);
    expect(manual.tce!.expandedUncertainty).toBeCloseTo(0.3324828, 6);
    // Comprehensive consumption: electricity 100 000 kWh × 0.1229 kgce/kWh = 12.29 tce, + 54.64125 = 66.93125 tce
    expect(r.tceEquivalent.value).toBeCloseTo(66.93125, 9);
    expect(r.sites[0]!.tce.value).toBeCloseTo(66.93125, 9);
    expect(r.tceEquivalent.quality.flags).toContain('manual');
    // U: electricity u = 100 000 × 0.5 %/√3 × 0.0001229 = 0.0354782 tce; diesel u = 0.1662414 tce; U = 2√(0.0354782² + 0.1662414²) = 0.3399701
    expect(r.tceEquivalent.expandedUncertainty).toBeCloseTo(0.3399701, 6);
    // GB/T 32150: 37.5 t × 42.652 GJ/t × 20.20 tC/TJ × 0.98 × 44/12 = 37.5 × 3.0959096 = 116.0966114 tCO2
    const fuel = r.carbon.scope1ByFuel.find((f) => f.carrier === 'diesel')!;
    expect(fuel.activity.value).toBeCloseTo(37.5, 12);
    expect(fuel.co2.value).toBeCloseTo(116.0966114, 6);
    expect(r.carbon.scope1.value).toBeCloseTo(116.0966114, 6);
    expect(r.carbon.scope1.quality.flags).toContain('manual');
    // Factor u: IPCC 95 % [72 600, 74 800] around 74 100 → 1 500 / 1.96 / 74 100 = 1.032802 %;
    // U = 2 × 116.0966114 × √((0.1140906 / 37.5)² + 0.01032802²) = 2.4999809 tCO2
    expect(fuel.co2.expandedUncertainty).toBeCloseTo(2.4999809, 5);
    // Scope 2 stays metered only: no manual flag there.
    expect(r.carbon.scope2Location.quality.flags).not.toContain('manual');
  });

  it('flags a figure whose entries declare no error, and has no balance for the stand-in point', () => {
    const undeclared = { ...diesel.closing, errorPercent: undefined };
    const x = accountEnterprise(enterprise, readings, '2025-03', factorSet, { manualEntries: [diesel.opening, diesel.first, diesel.second, undeclared] });
    expect(x.points.find((p) => p.id === 'manual:diesel')!.consumption.quality.flags).toEqual(['manual', 'manual-uncertainty-unknown']);
    // Without the closing stock's error: 0.0144 + 0.01 + 0.005625 = 0.030025 t²; 2 × √(0.030025 / 3) = 2 × 0.1000417 = 0.2000833 t
    expect(x.points.find((p) => p.id === 'manual:diesel')!.consumption.expandedUncertainty).toBeCloseTo(0.2000833, 6);
    expect(x.tceEquivalent.quality.flags).toContain('manual-uncertainty-unknown');
    expect(x.balances).toEqual([]);
  });

  it('uses the latest entry of a correction chain: the corrected closing stock restates the month', () => {
    const corrected = entry({ kind: 'fuel-stock', period: '2025-03', carrier: 'diesel', value: 11.5, unit: 't', errorPercent: 1, document: 'stock-take 2025-03 (recount)', corrects: diesel.closing.id, reason: 'dip misread: 9.5 was the reading of tank 2' });
    const x = accountEnterprise(enterprise, readings, '2025-03', factorSet, { manualEntries: [...diesel.all, corrected] });
    // 12 + 20 + 15 − 11.5 = 35.5 t; 35 500 kg × 1.4571 = 51 727.05 kgce = 51.72705 tce; total 12.29 + 51.72705 = 64.01705 tce
    expect(x.points.find((p) => p.id === 'manual:diesel')!.consumption.value).toBeCloseTo(35.5, 12);
    expect(x.tceEquivalent.value).toBeCloseTo(64.01705, 9);
    // 35.5 × 3.0959096 = 109.9047921 tCO2
    expect(x.carbon.scope1.value).toBeCloseTo(109.9047921, 6);
    expect(x.manualEntries).toContain(corrected.id);
    expect(x.manualEntries).not.toContain(diesel.closing.id);
  });

  it('does not book a fuel whose opening stock is missing: an issue, flagged incomplete, not a zero', () => {
    const x = accountEnterprise(enterprise, readings, '2025-03', factorSet, { manualEntries: [diesel.first, diesel.second, diesel.closing] });
    expect(x.issues).toContainEqual({ code: 'MTL_DOMAIN_MANUAL_STOCK_MISSING', message: expect.stringContaining('no opening stock') as unknown, pointId: 'manual:diesel' });
    const point = x.points.find((p) => p.id === 'manual:diesel')!;
    expect(point.consumption.coveragePercent).toBe(0);
    expect(point.consumption.quality.flags).toEqual(['incomplete', 'manual']);
    expect(x.tceEquivalent.quality.flags).toContain('incomplete');
    // Only electricity is counted: 12.29 tce.
    expect(x.tceEquivalent.value).toBeCloseTo(12.29, 9);
  });

  it('refuses to book a negative consumption', () => {
    const big = { ...diesel.closing, value: 50 };
    const x = accountEnterprise(enterprise, readings, '2025-03', factorSet, { manualEntries: [diesel.opening, diesel.first, diesel.second, big] });
    // 12 + 35 − 50 = −3 t
    expect(x.issues.find((i) => i.code === 'MTL_DOMAIN_MANUAL_NEGATIVE_CONSUMPTION')!.message).toContain('= -3 t');
    expect(x.tceEquivalent.value).toBeCloseTo(12.29, 9);
  });

  it('gives a day no share of the monthly fuel, and says so', () => {
    const day = accountEnterprise(enterprise, new Map([['main', [{ at: START, value: 0 }, { at: START + 86_400_000, value: 3000 }]]]), '2025-03-01', factorSet, { manualEntries: diesel.all });
    expect(day.points.some((p) => p.id === 'manual:diesel')).toBe(false);
    expect(day.issues.map((i) => i.code)).toEqual(['MTL_DOMAIN_MANUAL_NOT_APPORTIONED']);
    // 3 000 kWh × 0.1229 = 368.7 kgce
    expect(day.tceEquivalent.value).toBeCloseTo(0.3687, 9);
  });

  it('accounts a year from the stock at its ends and the deliveries inside it', () => {
    const december = entry({ kind: 'fuel-stock', period: '2024-12', carrier: 'diesel', value: 4, unit: 't', errorPercent: 1 });
    const endOfYear = entry({ kind: 'fuel-stock', period: '2025-12', carrier: 'diesel', value: 6, unit: 't', errorPercent: 1 });
    const x = accountEnterprise(enterprise, new Map(), '2025', factorSet, { manualEntries: [...diesel.all, december, endOfYear] });
    // 4 t (end 2024) + 20 + 15 (March) − 6 t (end 2025) = 33 t; the month-end stocks inside the year do not enter.
    expect(x.points.find((p) => p.id === 'manual:diesel')!.consumption.value).toBeCloseTo(33, 12);
  });

  it('lets a metered fuel of the same site count instead of its manual entries', () => {
    const metered: Enterprise = {
      ...enterprise,
      sites: [{ ...enterprise.sites[0]!, meteringPoints: [...enterprise.sites[0]!.meteringPoints, { id: 'tank', carrier: 'diesel', quantity: 'mass', unit: 't', accuracyClass: 0.5, calibration: { certificate: 'c', validFrom: '2024-01-01', validUntil: '2029-12-31' }, topology: { role: 'boundary-input' } }] }],
    };
    const x = accountEnterprise(metered, new Map([...readings, ['tank', [{ at: START, value: 0 }, { at: END, value: 30 }]]]), '2025-03', factorSet, { manualEntries: diesel.all });
    expect(x.points.some((p) => p.id === 'manual:diesel')).toBe(false);
    expect(x.issues.map((i) => i.code)).toContain('MTL_DOMAIN_MANUAL_FUEL_METERED');
    // 12.29 + 30 000 kg × 1.4571 / 1000 = 12.29 + 43.713 = 56.003 tce
    expect(x.tceEquivalent.value).toBeCloseTo(56.003, 9);
  });
});

describe('production, output value and value added entered by hand feed the intensities (worked example)', () => {
  const { enterprise, factorSet } = setup();
  const diesel = dieselMarch();
  const parts = entry({ kind: 'production', period: '2025-03', product: 'parts', value: 1250, unit: 't', document: 'production report 2025-03' });
  const valueAdded = entry({ kind: 'value-added', period: '2025-03', value: 5_000_000, unit: 'CNY', document: 'statistics form B204-1 2025-03' });
  const r = accountEnterprise(enterprise, readings, '2025-03', factorSet, { manualEntries: [...diesel.all, parts, valueAdded] });

  it('uses the manual production instead of the manifest’s, and says so', () => {
    expect(r.issues).toContainEqual({ code: 'MTL_DOMAIN_MANUAL_OVERRIDES_MANIFEST', message: "production of parts, 2025-03: the manual entry's 1250 t counts, not the manifest's 1000 t" });
    const i = r.intensities.find((x) => x.product === 'parts')!;
    expect(i.production).toBe(1250);
    // 66.93125 tce / 1 250 t = 0.053545 tce/t; 116.0966114 tCO2 scope 1 + scope 2 (100 MWh × 0.5581 Chongqing 2023) = 116.0966114 + 55.81 = 171.9066114 tCO2 / 1 250 t = 0.1375253 tCO2/t
    expect(i.tcePerUnit.value).toBeCloseTo(0.053545, 12);
    expect(i.tCO2PerUnit!.value).toBeCloseTo(0.1375253, 6);
    expect(i.tcePerUnit.quality.flags).toContain('manual');
    expect(r.manualEntries).toContain(parts.id);
  });

  it('gives the energy intensity of value added in tce per 10^4 CNY', () => {
    // 5 000 000 CNY = 500 (10^4 CNY); 66.93125 tce / 500 = 0.1338625 tce per 10^4 CNY
    const i = r.intensities.find((x) => x.product === 'value-added')!;
    expect(i).toMatchObject({ siteId: null, production: 500, productionUnit: '10^4 CNY' });
    expect(i.tcePerUnit.value).toBeCloseTo(0.1338625, 12);
    expect(i.tcePerUnit.unit).toBe('tce/10^4 CNY');
  });

  it('keeps the manifest’s production, unflagged, when nothing was entered by hand', () => {
    const x = accountEnterprise(enterprise, readings, '2025-03', factorSet);
    // 12.29 tce / 1 000 t = 0.01229 tce/t
    expect(x.intensities.map((i) => [i.product, i.production, i.tcePerUnit.value])).toEqual([['parts', 1000, expect.closeTo(0.01229, 12)]]);
    expect(x.intensities[0]!.tcePerUnit.quality.flags).not.toContain('manual');
    expect(x.manualEntries).toEqual([]);
  });
});
