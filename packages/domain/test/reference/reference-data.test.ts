import { describe, expect, it } from 'vitest';
import { checkReferenceData, createFactorCatalog, loadReferenceData, SHIPPED_REFERENCE_DATA, type FactorSet } from '../../src/index.ts';

function set(name = 'cn-2023'): FactorSet {
  const r = createFactorCatalog().resolve(name, '1.0.0');
  if (!r.ok) throw r.error;
  return r.factor;
}

describe('reference data', () => {
  it('ships data that passes its own range and consistency checks', () => {
    expect(checkReferenceData(SHIPPED_REFERENCE_DATA)).toEqual([]);
  });

  it('catches the published natural-gas slip of 0.0013 kgce/m3 (1000 x too small)', () => {
    const bad = structuredClone(SHIPPED_REFERENCE_DATA);
    const gas = bad.standardCoal.coefficients.find((c) => c.carrier === 'natural-gas')!;
    gas.value = 0.0013;
    const issues = checkReferenceData(bad);
    expect(issues.some((i) => i.path.includes('natural-gas') && i.message.includes('35544'))).toBe(true);
    expect(() => loadReferenceData(bad)).toThrow(expect.objectContaining({ code: 'MTL_DOMAIN_REFERENCE_OUT_OF_RANGE' }));
  });

  it('catches a grid factor in kg instead of t per MWh and a wrong fuel product', () => {
    const bad = structuredClone(SHIPPED_REFERENCE_DATA);
    bad.grid.factors[0]!.value = 556.8;
    bad.fuels.fuels[0]!.oxidation = 0.9; // product no longer matches the published 3.096 t/t
    const paths = checkReferenceData(bad).map((i) => i.path);
    expect(paths).toContain('cn-grid-factors/factors/0');
    expect(paths).toContain('gbt-32150-fuels/fuels/0(diesel)');
  });
});

describe('factor sets', () => {
  it('resolves by name and version and refuses unknown ones', () => {
    expect(set().id).toBe('cn-2023@1.0.0');
    const r = createFactorCatalog().resolve('cn-2023', '9');
    expect(r.ok ? null : r.error.code).toBe('MTL_DOMAIN_FACTOR_SET_NOT_FOUND');
  });

  it('gives grid factors at each level (MEE notices)', () => {
    const q = { region: 'CN-CQ', gridRegion: 'southwest' as const, date: '2025-03-01' };
    const value = (s: FactorSet, level: 'national' | 'regional' | 'provincial' | 'ets') => {
      const r = s.gridFactor({ ...q, level });
      return r.ok ? r.factor.value : r.error.code;
    };
    expect(value(set(), 'national')).toBe(0.5306);
    expect(value(set(), 'regional')).toBe(0.2472);
    expect(value(set(), 'provincial')).toBe(0.5581);
    expect(value(set(), 'ets')).toBe(0.5703);
    expect(value(set('cn-2022'), 'provincial')).toBe(0.5227);
    expect(value(set('cn-2021'), 'regional')).toBe('MTL_DOMAIN_FACTOR_NOT_FOUND'); // no 2021 regional values
    // The ETS value is in force for 2023-2025 only.
    const late = set().gridFactor({ ...q, level: 'ets', date: '2026-01-01' });
    expect(late.ok).toBe(false);
    // No provincial factor for Jiangsu is shipped: an error, not a silent fallback.
    expect(set().gridFactor({ level: 'provincial', region: 'CN-JS', gridRegion: 'east', date: '2025-01-01' }).ok).toBe(false);
  });

  it('computes fuel CO2 per unit from GB/T 32150 parameters', () => {
    const diesel = set().fuel('diesel');
    if (!diesel.ok) throw diesel.error;
    // 42.652 GJ/t x 20.20 tC/TJ / 1000 x 0.98 x 44/12 = 0.861570 x 0.98 x 3.666667 = 3.09591 tCO2/t
    expect(diesel.factor.co2PerUnit).toBeCloseTo(3.09591, 5);
    // IPCC 95 % interval 72 600 - 74 800 around 74 100: wider side 1 500; u = 1500 / 1.96 / 74100 = 1.0328 %
    expect(diesel.factor.relativeUncertainty).toBeCloseTo(0.010328, 5);
    const gas = set().fuel('natural-gas');
    // 389.31 x 15.32 / 1000 x 0.99 x 44/12 = 21.6502 tCO2 per 10^4 Nm3
    expect(gas.ok && gas.factor.co2PerUnit).toBeCloseTo(21.6502, 4);
  });

  it('picks the steam coefficient by pressure class and by enthalpy', () => {
    const s = set();
    const at = (p: number) => {
      const r = s.standardCoal('steam', 'mass', p);
      return r.ok ? r.factor.value : undefined;
    };
    expect(at(1.0)).toBe(0.1086);
    expect(at(2.0)).toBe(0.1086);
    expect(at(3.5)).toBe(0.1257);
    expect(at(0.1)).toBe(0.0786);
    expect(s.standardCoal('steam', 'mass').ok).toBe(false);
    const h = s.standardCoal('steam', 'energy');
    expect(h.ok && h.factor.value).toBe(0.03412);
  });

  it('lets a deployment add a set with its own values but not overwrite a shipped one', () => {
    const mine = { ...SHIPPED_REFERENCE_DATA.factorSets[0]!, name: 'js-2023', overrides: { gridFactors: [{ dataYear: 2023, level: 'provincial', region: 'CN-JS', value: 0.6, source: 'test', confidence: 'L' }] } };
    const r = createFactorCatalog([mine]).resolve('js-2023', '1.0.0');
    const f = r.ok ? r.factor.gridFactor({ level: 'provincial', region: 'CN-JS', gridRegion: 'east', date: '2025-01-01' }) : undefined;
    expect(f?.ok && f.factor.value).toBe(0.6);
    expect(() => createFactorCatalog([SHIPPED_REFERENCE_DATA.factorSets[0]!])).toThrow(/duplicate/);
  });
});
