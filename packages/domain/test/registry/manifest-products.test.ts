import { describe, expect, it } from 'vitest';
import { limitProductIssues, loadLimitStandards, parseManifest } from '../../src/index.ts';

/** A one-site enterprise with the given product mappings (issue 16). */
function manifest(products: unknown[]): string {
  return JSON.stringify({
    version: 1,
    enterprises: [
      {
        id: 'e1', name: 'E1', region: 'CN-CQ', gridRegion: 'southwest', timeZone: 'Asia/Shanghai',
        factorSet: { name: 'cn-2023', version: '1.0.0' }, scope2Level: 'provincial',
        sites: [{ id: 'kiln', name: 'Kiln line', meteringPoints: [] }],
        devices: [],
        products,
      },
    ],
  });
}

const errorsOf = (text: string, withStandards = false) => {
  const r = parseManifest(text, 'm.json', withStandards ? { limitStandards: loadLimitStandards() } : {});
  return r.ok ? [] : r.errors.map((e) => [e.path, e.code]);
};

describe('manifest products: which product is which limit standard\'s (issue 16)', () => {
  it('accepts a mapping per product and site', () => {
    const text = manifest([
      { product: 'clinker', limitProduct: 'cement-clinker', site: 'kiln', plant: 'existing' },
      { product: 'clinker', limitProduct: 'cement-clinker', plant: 'new' },
    ]);
    expect(errorsOf(text, true)).toEqual([]);
  });

  it('names an unknown site, a product mapped twice, and a plant kind it does not know', () => {
    expect(errorsOf(manifest([
      { product: 'clinker', limitProduct: 'cement-clinker', site: 'mill', plant: 'existing' },
      { product: 'glass', limitProduct: 'flat-glass', plant: 'new' },
      { product: 'glass', limitProduct: 'flat-glass', plant: 'existing' },
    ]))).toEqual([
      ['/enterprises/0/products/0/site', 'MTL_DOMAIN_MANIFEST_UNKNOWN_REFERENCE'],
      ['/enterprises/0/products/2', 'MTL_DOMAIN_MANIFEST_DUPLICATE_ID'],
    ]);
    expect(errorsOf(manifest([{ product: 'clinker', limitProduct: 'cement-clinker', plant: 'old' }]))).toEqual([
      ['/enterprises/0/products/0/plant', 'MTL_DOMAIN_MANIFEST_SCHEMA'],
    ]);
  });

  it('names a limit product the data set does not have, when the data set is given', () => {
    const text = manifest([{ product: 'clinker', limitProduct: 'cement-klinker', plant: 'existing' }]);
    expect(errorsOf(text)).toEqual([]);
    expect(errorsOf(text, true)).toEqual([['/enterprises/0/products/0/limitProduct', 'MTL_DOMAIN_MANIFEST_UNKNOWN_REFERENCE']]);
    const parsed = parseManifest(text, 'm.json');
    const issues = parsed.ok ? limitProductIssues(parsed.manifest, loadLimitStandards()) : [];
    expect(issues[0]?.message).toContain('"cement-klinker" is not a product of limit standards cn-energy-limit-standards@1.0.0');
  });
});
