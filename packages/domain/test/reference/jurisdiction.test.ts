import { describe, expect, it } from 'vitest';
import { accountEnterprise, checkFactorSetDefinition, createFactorCatalog, parseManifest, type FactorSetDefinition, type RegisterReading } from '../../src/index.ts';

/** Issue 15, item 5: a factor set states the regions it covers; an enterprise outside them gets no figures from it. */

const berlinManifest = (factorSet: string): string => `
version: 1
enterprises:
  - id: berlin
    name: Berlin works
    region: DE-BE
    gridRegion: north
    timeZone: Europe/Berlin
    factorSet: { name: ${factorSet}, version: "1" }
    scope2Level: national
    sites:
      - id: s1
        name: Site 1
        meteringPoints:
          - { id: main, carrier: electricity, quantity: active-energy-import, unit: kWh, accuracyClass: 0.5,
              calibration: { certificate: c, validFrom: 2024-01-01, validUntil: 2029-12-31 }, topology: { role: boundary-input } }
    devices: []
`;

/** A German set: the shipped tables for standard coal and fuels, its own grid factors (illustrative values, cited as such). */
const germany: FactorSetDefinition = {
  name: 'de-2023',
  version: '1',
  regions: ['DE'],
  description: 'German grid mix 2023 for a plant in Berlin',
  standardCoal: 'gbt-2589-2020',
  gridDataYear: 2023,
  fuels: 'gbt-32150-fuels',
  electricityEqualValue: 'electricity-equal-value-legacy',
  overrides: {
    gridFactors: [
      { dataYear: 2023, level: 'national', value: 0.38, source: 'test value: a national grid mix of 380 g/kWh', confidence: 'M' },
      { dataYear: 2023, level: 'residual-mix', value: 0.7, source: 'test value: a residual mix of 700 g/kWh', confidence: 'L' },
    ],
  },
};

const march = (): Map<string, RegisterReading[]> =>
  new Map([['main', [{ at: Date.parse('2026-03-01T00:00:00+01:00'), value: 0 }, { at: Date.parse('2026-04-01T00:00:00+02:00'), value: 100_000 }]]]);

function berlin(factorSet: string) {
  const parsed = parseManifest(berlinManifest(factorSet), 'berlin.yaml');
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  return parsed.manifest.enterprises[0]!;
}

describe('a factor set covers its regions', () => {
  it('the shipped sets cover China: Chongqing resolves, Berlin is refused with the region and the set named', () => {
    const catalog = createFactorCatalog();
    const chongqing = catalog.resolveFor({ id: 'cq', region: 'CN-CQ', factorSet: { name: 'cn-2023', version: '1.0.0' } });
    expect(chongqing.ok && chongqing.factor.regions).toEqual(['CN']);
    const refused = catalog.resolveFor({ id: 'berlin', region: 'DE-BE', factorSet: { name: 'cn-2023', version: '1.0.0' } });
    expect(refused.ok).toBe(false);
    if (refused.ok) return;
    expect(refused.error.code).toBe('MTL_DOMAIN_FACTOR_SET_OUTSIDE_REGION');
    expect(refused.error.message).toContain('DE-BE');
    expect(refused.error.message).toContain('cn-2023@1.0.0');
  });

  it('a subdivision covers only itself: a set for CN-CQ does not cover Shanghai', () => {
    const chongqingOnly: FactorSetDefinition = { ...germany, name: 'cq-only', regions: ['CN-CQ'], overrides: {} };
    const catalog = createFactorCatalog([chongqingOnly]);
    expect(catalog.resolveFor({ id: 'a', region: 'CN-CQ', factorSet: { name: 'cq-only', version: '1' } }).ok).toBe(true);
    expect(catalog.resolveFor({ id: 'b', region: 'CN-SH', factorSet: { name: 'cq-only', version: '1' } }).ok).toBe(false);
    // "CN-C" is not a prefix match of "CN-CQ": regions are compared level by level.
    expect(createFactorCatalog([{ ...chongqingOnly, name: 'c', regions: ['CN-C'] }]).resolveFor({ id: 'a', region: 'CN-CQ', factorSet: { name: 'c', version: '1' } }).ok).toBe(false);
  });

  it('a Berlin plant pinned to a German set gets its grid factors, never China’s', () => {
    const catalog = createFactorCatalog([germany]);
    const set = catalog.resolveFor(berlin('de-2023'));
    if (!set.ok) throw set.error;
    const figures = accountEnterprise(berlin('de-2023'), march(), '2026-03', set.factor);
    // 100 000 kWh = 100 MWh; location-based 100 MWh × 0.38 tCO2/MWh = 38 tCO2; market-based,
    // no instruments: 100 MWh × 0.7 tCO2/MWh (the set's residual mix) = 70 tCO2.
    expect(figures.carbon.scope2Location.value).toBeCloseTo(38, 9);
    expect(figures.carbon.scope2LocationFactor?.source).toBe('test value: a national grid mix of 380 g/kWh');
    expect(figures.carbon.scope2Market.value).toBeCloseTo(70, 9);
  });

  it('a set outside China without a residual mix of its own has none: market-based scope 2 is an issue, not China’s proxy', () => {
    const noResidual: FactorSetDefinition = { ...germany, name: 'de-no-residual', overrides: { gridFactors: [germany.overrides!.gridFactors![0]!] } };
    const set = createFactorCatalog([noResidual]).resolveFor(berlin('de-no-residual'));
    if (!set.ok) throw set.error;
    expect(set.factor.residualMixFactor().ok).toBe(false);
    // China's national factor of 2023 is not there either: only the set's own national factor.
    const provincial = set.factor.gridFactor({ level: 'provincial', region: 'CN-CQ', gridRegion: 'southwest', date: '2026-03-01' });
    expect(provincial.ok).toBe(false);
    const figures = accountEnterprise(berlin('de-no-residual'), march(), '2026-03', set.factor);
    expect(figures.carbon.scope2Market.quality.flags).toContain('incomplete');
    expect(figures.issues.map((i) => i.code)).toContain('MTL_DOMAIN_FACTOR_NOT_FOUND');
  });
});

describe('a set may set its own standard coal coefficient', () => {
  // GB/T 2589-2020, Appendix A: natural gas from an oil field, 1.3300 kgce/m3 (gas-field gas 1.2143, the table's value).
  const oilField: FactorSetDefinition = {
    name: 'cn-2023-oil-field-gas',
    version: '1',
    description: 'cn-2023 with oil-field natural gas',
    standardCoal: 'gbt-2589-2020',
    gridDataYear: 2023,
    fuels: 'gbt-32150-fuels',
    electricityEqualValue: 'electricity-equal-value-legacy',
    overrides: { standardCoal: [{ carrier: 'natural-gas', value: 1.33, unit: 'kgce/m3', perUnit: 'Nm3', source: 'GB/T 2589-2020, Appendix A: oil-field natural gas', confidence: 'M' }] },
  };

  it('replaces the table’s coefficient for that carrier only, with its own source', () => {
    expect(checkFactorSetDefinition(oilField)).toEqual([]);
    const set = createFactorCatalog([oilField]).resolve(oilField.name, '1');
    if (!set.ok) throw set.error;
    expect(set.factor.standardCoal('natural-gas', 'volume')).toMatchObject({ ok: true, factor: { value: 1.33, source: 'GB/T 2589-2020, Appendix A: oil-field natural gas' } });
    expect(set.factor.standardCoal('diesel', 'mass')).toMatchObject({ ok: true, factor: { value: 1.4571 } });
    // No regions named: the shipped tables' (China's).
    expect(set.factor.regions).toEqual(['CN']);
  });

  it('checks each value like the shipped ones: a unit slip, an unknown carrier, a missing source, bad regions', () => {
    const bad: FactorSetDefinition = {
      ...oilField,
      regions: ['China', 'DE'],
      overrides: {
        standardCoal: [{ carrier: 'plasma', value: 1330, unit: 'kgce/m3', perUnit: 'Nm3', source: '', confidence: 'M' }],
        gridFactors: [{ dataYear: 2023, level: 'provincial', region: 'CN-CQ', value: 0.4, source: 's', confidence: 'M' }],
      },
    };
    expect(checkFactorSetDefinition(bad).map((i) => i.path)).toEqual([
      '/overrides/gridFactors/0/region',
      '/regions/0',
      '/overrides/standardCoal/0/carrier',
      '/overrides/standardCoal/0/value',
      '/overrides/standardCoal/0/source',
    ]);
  });
});
