import { expect, it } from 'vitest';
import { accountEnterprise, createFactorCatalog, indicatorsOf, parseManifest, type RegisterReading } from '../../src/index.ts';

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
          - { id: gas, carrier: natural-gas, quantity: volume, unit: Nm3, accuracyClass: 2,
              calibration: { certificate: c, validFrom: 2024-01-01, validUntil: 2029-12-31 }, topology: { role: boundary-input } }
          - { id: diesel, carrier: diesel, quantity: mass, unit: t, accuracyClass: 0.5,
              calibration: { certificate: c, validFrom: 2024-01-01, validUntil: 2029-12-31 }, topology: { role: boundary-input } }
          - { id: water, carrier: water, quantity: mass, unit: t, accuracyClass: 2,
              calibration: { certificate: c, validFrom: 2024-01-01, validUntil: 2029-12-31 }, topology: { role: boundary-input } }
    devices: []
    production:
      - { period: 2026-03, product: parts, value: 100, unit: t }
`;

it('gives the uploaded indicators of a month: comprehensive, primary and secondary energy, output and unit-product consumption', () => {
  const parsed = parseManifest(MANIFEST, 'plant.yaml');
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  const set = createFactorCatalog().resolve('cn-2023', '1.0.0');
  if (!set.ok) throw set.error;
  const start = Date.parse('2026-03-01T00:00:00+08:00');
  const end = Date.parse('2026-04-01T00:00:00+08:00');
  const pair = (b: number): RegisterReading[] => [{ at: start, value: 0 }, { at: end, value: b }];
  const readings = new Map([['main', pair(100_000)], ['gas', pair(10_000)], ['diesel', pair(1)], ['water', pair(500)]]);
  const figures = accountEnterprise(parsed.manifest.enterprises[0]!, readings, '2026-03', set.factor);
  const values = indicatorsOf(figures);
  const value = (indicator: string) => values.find((v) => v.indicator === indicator)?.value;
  // GB/T 2589-2020: electricity 100 000 kWh x 0.1229 kgce/kWh = 12.29 tce (secondary); natural gas
  // 10 000 Nm3 x 1.2143 kgce/m3 = 12.143 tce (primary); diesel 1 t x 1.4571 kgce/kg = 1.4571 tce (secondary);
  // water 500 t x 0.2571 kgce/t = 0.12855 tce (a working medium: in the comprehensive figure, in neither class).
  expect(value('primary-energy')).toBeCloseTo(12.143, 9);
  expect(value('secondary-energy')).toBeCloseTo(13.7471, 9);
  // 12.29 + 12.143 + 1.4571 + 0.12855 = 26.01865 tce
  expect(value('comprehensive-energy')).toBeCloseTo(26.01865, 9);
  expect(values.find((v) => v.indicator === 'output')).toMatchObject({ product: 'parts', value: 100, periodKind: 'month', periodKey: '2026-03', startMs: start });
  // 26.01865 tce / 100 t
  expect(value('unit-product-energy')).toBeCloseTo(0.2601865, 9);
});
