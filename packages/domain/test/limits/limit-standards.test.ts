import { describe, expect, it } from 'vitest';
import { checkLimitStandards, isUsableGrade, LIMIT_GRADES, loadLimitStandards, SHIPPED_LIMIT_STANDARDS, type LimitStandardsData } from '../../src/index.ts';

const shipped = (): LimitStandardsData => structuredClone(SHIPPED_LIMIT_STANDARDS) as LimitStandardsData;
const paths = (data: unknown): string[] => checkLimitStandards(data).map((i) => i.path);

describe('limit standards data (issue 16)', () => {
  it('ships data that passes its own checks, with at least five products of key sectors', () => {
    expect(checkLimitStandards(SHIPPED_LIMIT_STANDARDS)).toEqual([]);
    const set = loadLimitStandards();
    expect(set.products.size).toBeGreaterThanOrEqual(5);
    expect([...set.products.values()].map((p) => `${p.standard.number}-${p.standard.year}`)).toEqual(
      expect.arrayContaining(['GB 16780-2021', 'GB 21256-2013', 'GB 21340-2019', 'GB 21258-2017', 'GB 21344-2023', 'GB 21257-2024']),
    );
  });

  it('ships no value as confirmed that lacks its clause and source, so no shipped value is judged against without them', () => {
    for (const p of loadLimitStandards().products.values()) {
      for (const grade of LIMIT_GRADES) {
        const g = p.grades[grade];
        if (g.confirmed) expect([g.clause, g.source].every((s) => typeof s === 'string' && s.length > 0)).toBe(true);
        else expect(isUsableGrade(g)).toBe(false);
      }
    }
  });

  it('rejects a unit slip: a coal rate written in kgce/kWh under gce/kWh, and an energy unit it does not know', () => {
    const data = shipped();
    const power = data.products.findIndex((p) => p.id === 'coal-power-supply');
    data.products[power]!.grades.limit.value = 0.3; // 300 gce/kWh written as 0.3 kgce/kWh
    const clinker = data.products.findIndex((p) => p.id === 'cement-clinker');
    data.products[clinker]!.unit = 'tce/t';
    expect(paths(data).sort()).toEqual([`/products/${clinker}/unit`, `/products/${power}/grades/limit/value`].sort());
  });

  it('rejects a product without its citation (standard number, year, title)', () => {
    const data = shipped() as unknown as { products: Array<{ standard: Record<string, unknown> }> };
    delete data.products[0]!.standard.number;
    data.products[1]!.standard.title = '';
    data.products[2]!.standard.year = '2013';
    expect(paths(data)).toEqual(['/products/0/standard/number', '/products/1/standard/title', '/products/2/standard/year']);
  });

  it('rejects a confirmed value without its clause or without its source, and a confirmed grade without a value', () => {
    const data = shipped();
    data.products[0]!.grades.limit = { value: 117, clause: null, confirmed: true, source: 'GB 16780-2021, read by a reviewer' };
    data.products[0]!.grades.access = { value: 107, clause: '4.2, Table 2', confirmed: true, source: null };
    data.products[0]!.grades.advanced = { value: null, clause: '4.2, Table 2', confirmed: true, source: 'x' };
    expect(paths(data)).toEqual(['/products/0/grades/limit/clause', '/products/0/grades/access/source', '/products/0/grades/advanced/value']);
    expect(() => loadLimitStandards(data)).toThrow(expect.objectContaining({ code: 'MTL_DOMAIN_LIMIT_STANDARDS_INVALID' }));
  });

  it('rejects grades out of order (a new plant held to a laxer value than an existing one) and a duplicate product id', () => {
    const data = shipped();
    data.products[0]!.grades.access.value = 130; // above the limit value 117
    data.products[1]!.id = data.products[0]!.id;
    expect(paths(data)).toEqual(['/products/0/grades/access/value', '/products/1/id']);
  });

  it('rejects what is not a data set at all, naming the field', () => {
    expect(paths({ id: 'x', version: '1', title: 't', products: [] })).toEqual(['/products']);
    expect(paths('not json')).toEqual(['']);
  });
});
