import { expect, it } from 'vitest';
import { checkFactorSetDefinition, createFactorCatalog, type FactorSetDefinition } from '../../src/index.ts';

const custom: FactorSetDefinition = {
  name: 'cq-autoparts-ppa',
  version: '2026.1',
  description: 'cn-2023 with the Chongqing grid factor of the 2026 supply contract',
  standardCoal: 'gbt-2589-2020',
  gridDataYear: 2023,
  fuels: 'gbt-32150-fuels',
  electricityEqualValue: 'electricity-equal-value-legacy',
  overrides: { gridFactors: [{ dataYear: 2023, level: 'provincial', region: 'CN-CQ', value: 0.41, source: 'supply contract 2026-CQ-17, annex 3', confidence: 'M' }] },
};

it('accepts a custom set that names known tables and cites its own values', () => {
  expect(checkFactorSetDefinition(custom)).toEqual([]);
  const catalog = createFactorCatalog([custom]);
  const set = catalog.resolve('cq-autoparts-ppa', '2026.1');
  expect(set.ok && set.factor.gridFactor({ level: 'provincial', region: 'CN-CQ', gridRegion: 'southwest', date: '2026-03-01' })).toMatchObject({
    ok: true,
    factor: { value: 0.41, source: 'supply contract 2026-CQ-17, annex 3' },
  });
});

it('names each problem by its path: unknown tables, an implausible value (a unit slip), a missing source', () => {
  const bad: FactorSetDefinition = {
    ...custom,
    fuels: 'ipcc-2006',
    gridDataYear: 1999,
    overrides: {
      gridFactors: [{ dataYear: 2023, level: 'provincial', region: 'CN-CQ', value: 410, source: ' ', confidence: 'X' }],
      electricityEqualValue: { value: 0.1229, dataYear: 2023, source: 'kWh → kgce by calorific value', confidence: 'H' },
    },
  };
  expect(checkFactorSetDefinition(bad).map((i) => i.path)).toEqual([
    '/fuels',
    '/gridDataYear',
    '/overrides/gridFactors/0/value',
    '/overrides/gridFactors/0/source',
    '/overrides/gridFactors/0/confidence',
    '/overrides/electricityEqualValue/value',
  ]);
});
