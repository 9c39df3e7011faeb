import { describe, expect, it } from 'vitest';
import { co2OfPointUnit, createFactorCatalog, tceOfPointUnit, type Enterprise, type MeteringPoint } from '../../src/index.ts';

const set = (() => {
  const r = createFactorCatalog().resolve('cn-2023', '1.0.0');
  if (!r.ok) throw r.error;
  return r.factor;
})();

const enterprise = { region: 'CN-CQ', gridRegion: 'southwest', scope2Level: 'provincial' } as Enterprise;
const point = (carrier: string, unit: string, quantity = 'volume'): MeteringPoint =>
  ({ id: 'p', carrier, quantity, unit, accuracyClass: 2, calibration: { certificate: 'c', validFrom: '2024-01-01', validUntil: '2030-01-01' }, topology: { role: 'boundary-input' } }) as MeteringPoint;

describe("a point's unit in tce and tCO2, as the accounting converts its carrier", () => {
  it('converts gas by GB/T 2589-2020 (1.2143 kgce/m³) and GB/T 32150 (21.65 t CO2 per 10⁴ Nm³), scope 1', () => {
    const gas = point('natural-gas', 'Nm3');
    const tce = tceOfPointUnit(gas, set);
    expect(tce.ok && tce.conversion.perPointUnit).toBeCloseTo(1.2143 / 1000, 9);
    const co2 = co2OfPointUnit(gas, enterprise, set, '2026-03-01');
    expect(co2.ok && co2.conversion.scope).toBe('scope1');
    // 389.31 GJ/10⁴Nm³ × 15.32 tC/TJ × 0.99 × 44/12 = 21.65 t/10⁴Nm³, to the table's rounding.
    expect(co2.ok && co2.conversion.perPointUnit).toBeCloseTo(21.65 / 10_000, 6);
  });

  it('converts electricity in MWh by the pinned grid factor (Chongqing 2023: 0.5581 tCO2/MWh), scope 2', () => {
    const co2 = co2OfPointUnit(point('electricity', 'MWh', 'active-energy-import'), enterprise, set, '2026-03-01');
    expect(co2.ok && co2.conversion).toMatchObject({ perPointUnit: 0.5581, scope: 'scope2-location' });
  });

  it('says why a carrier has no CO2 factor, and a unit that does not convert', () => {
    const water = co2OfPointUnit(point('water', 'm3'), enterprise, set, '2026-03-01');
    expect(water.ok ? '' : water.reason).toContain('carrier water has no CO2 factor');
    const gasInKg = tceOfPointUnit(point('natural-gas', 'kWh'), set);
    expect(gasInKg.ok).toBe(false);
  });
});
