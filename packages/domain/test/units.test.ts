import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { convertUnit, integrateRate, isKnownUnit, tryConvertUnit, unitDimension, DomainError, KNOWN_UNITS } from '../src/index.ts';

describe('convertUnit', () => {
  it('converts energy by SI definitions', () => {
    expect(convertUnit(1, 'MWh', 'kWh')).toBe(1000);
    expect(convertUnit(2.5, 'GWh', 'MWh')).toBe(2500);
    // 1 kWh = 1000 W x 3600 s = 3.6e6 J = 3.6 MJ
    expect(convertUnit(1, 'kWh', 'MJ')).toBeCloseTo(3.6, 12);
    // 1 GJ = 1e9 J / 3.6e6 J per kWh = 277.777... kWh
    expect(convertUnit(1, 'GJ', 'kWh')).toBeCloseTo(277.7777777778, 9);
  });

  it('converts normal volume and mass', () => {
    expect(convertUnit(12345, 'Nm3', '10^4 Nm3')).toBeCloseTo(1.2345, 12);
    expect(convertUnit(3.2, 't', 'kg')).toBeCloseTo(3200, 9);
  });

  it('refuses incompatible dimensions with a typed error', () => {
    expect(() => convertUnit(1, 'kWh', 'kW')).toThrow(DomainError);
    const r = tryConvertUnit(1, 'm3', 'Nm3');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.code).toBe('MTL_DOMAIN_INCOMPATIBLE_UNITS');
  });

  it('is case-sensitive and reports unknown units', () => {
    expect(isKnownUnit('kWh')).toBe(true);
    expect(isKnownUnit('KWH')).toBe(false);
    expect(isKnownUnit('toString')).toBe(false);
    const r = tryConvertUnit(1, 'kwh', 'kWh');
    expect(r.ok ? undefined : r.error.code).toBe('MTL_DOMAIN_UNKNOWN_UNIT');
  });

  it('gives dimensions', () => {
    expect(unitDimension('kvarh')).toBe('reactive-energy');
    expect(unitDimension('GJ')).toBe('energy');
    expect(unitDimension('kW')).toBe('power');
    expect(unitDimension('10^4 Nm3')).toBe('normal-volume');
    expect(unitDimension('furlong')).toBeUndefined();
  });

  it('round-trips between any two units of one dimension (property)', () => {
    const pairs = KNOWN_UNITS.flatMap((a) => KNOWN_UNITS.filter((b) => unitDimension(a) === unitDimension(b)).map((b) => [a, b] as const));
    fc.assert(
      fc.property(fc.constantFrom(...pairs), fc.double({ min: 1e-6, max: 1e9, noNaN: true }), ([a, b], v) => {
        const back = convertUnit(convertUnit(v, a, b), b, a);
        expect(Math.abs(back - v) / v).toBeLessThan(1e-12);
      }),
    );
  });
});

describe('integrateRate', () => {
  it('gives the most a rate can deliver in a time', () => {
    // 2500 kW for 0.25 h = 625 kWh
    expect(integrateRate({ value: 2500, unit: 'kW' }, 0.25, 'kWh')).toBeCloseTo(625, 9);
    // 30 GJ/h for 2 h = 60 GJ
    expect(integrateRate({ value: 30, unit: 'GJ/h' }, 2, 'GJ')).toBeCloseTo(60, 9);
    // 600 Nm3/h for 24 h = 14 400 Nm3 = 1.44 x 10^4 Nm3
    expect(integrateRate({ value: 600, unit: 'Nm3/h' }, 24, '10^4 Nm3')).toBeCloseTo(1.44, 12);
  });
});
