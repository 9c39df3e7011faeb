import { describe, expect, it } from 'vitest';
import { parseManifest } from '../../src/index.ts';

/** A one-point enterprise with the given declared energy baselines (issue 20). */
function manifest(energyBaselines: unknown[]): string {
  return JSON.stringify({
    version: 1,
    enterprises: [
      {
        id: 'e1', name: 'E1', region: 'CN-CQ', gridRegion: 'southwest', timeZone: 'Asia/Shanghai',
        factorSet: { name: 'cn-2023', version: '1.0.0' }, scope2Level: 'provincial',
        sites: [
          {
            id: 's1', name: 'S1',
            meteringPoints: [
              { id: 'p-main', carrier: 'electricity', quantity: 'active-energy-import', unit: 'kWh', accuracyClass: 0.5,
                calibration: { certificate: 'C1', validFrom: '2024-01-01', validUntil: '2029-12-31' }, topology: { role: 'boundary-input' } },
            ],
          },
        ],
        devices: [],
        energyBaselines,
      },
    ],
  });
}

const errorsOf = (text: string) => {
  const r = parseManifest(text, 'm.json');
  return r.ok ? [] : r.errors.map((e) => [e.path, e.code]);
};

describe('manifest energy baselines: what an enterprise declares its savings against (issue 20)', () => {
  it("accepts the enterprise's standard coal and a point's consumption, with or without variables", () => {
    expect(errorsOf(manifest([
      { id: 'enb-2025', period: '2025-01-01..2025-12-31' },
      { id: 'enb-main', point: 'p-main', period: '2025-01-01..2025-06-30', variables: ['production', 'degreeDays'], product: 'castings' },
      { id: 'enb-s1', site: 's1', period: '2025-01-01..2025-12-31' },
    ]))).toEqual([]);
  });

  it('names an unknown point or site, both at once, a duplicate id, a period that is not two days or runs backwards, and a variable it does not know', () => {
    expect(errorsOf(manifest([
      { id: 'enb', point: 'p-gas', period: '2025-01-01..2025-12-31' },
      { id: 'enb', period: '2025-02-30..2025-12-31' },
      { id: 'enb-back', period: '2025-12-31..2025-01-01' },
      { id: 'enb-s2', site: 's2', period: '2025-01-01..2025-12-31' },
      { id: 'enb-both', site: 's1', point: 'p-main', period: '2025-01-01..2025-12-31' },
    ]))).toEqual([
      ['/enterprises/0/energyBaselines/0/point', 'MTL_DOMAIN_MANIFEST_UNKNOWN_REFERENCE'],
      ['/enterprises/0/energyBaselines/1/id', 'MTL_DOMAIN_MANIFEST_DUPLICATE_ID'],
      ['/enterprises/0/energyBaselines/1/period', 'MTL_DOMAIN_MANIFEST_INVALID_VALUE'],
      ['/enterprises/0/energyBaselines/2/period', 'MTL_DOMAIN_MANIFEST_INVALID_VALUE'],
      ['/enterprises/0/energyBaselines/3/site', 'MTL_DOMAIN_MANIFEST_UNKNOWN_REFERENCE'],
      ['/enterprises/0/energyBaselines/4/site', 'MTL_DOMAIN_MANIFEST_INVALID_VALUE'],
    ]);
    expect(errorsOf(manifest([{ id: 'enb', period: '2025-01-01..2025-12-31', variables: ['rainfall'] }]))).toEqual([
      ['/enterprises/0/energyBaselines/0/variables/0', 'MTL_DOMAIN_MANIFEST_SCHEMA'],
    ]);
    expect(errorsOf(manifest([{ id: 'enb', period: '2025-01-01' }]))).toEqual([['/enterprises/0/energyBaselines/0/period', 'MTL_DOMAIN_MANIFEST_SCHEMA']]);
  });
});
