import { describe, expect, it } from 'vitest';
import { checkManualEntry, effectiveEntries, manualEntryHistory, monthsBearingOn, parseManifest, type Enterprise, type ManualEntry } from '../../src/index.ts';

const MANIFEST = `
version: 1
enterprises:
  - id: two-sites
    name: Two sites
    region: CN-CQ
    gridRegion: southwest
    timeZone: Asia/Shanghai
    factorSet: { name: cn-2023, version: 1.0.0 }
    scope2Level: provincial
    sites:
      - { id: north, name: North, meteringPoints: [] }
      - { id: south, name: South, meteringPoints: [] }
    devices: []
`;

const enterprise: Enterprise = (() => {
  const parsed = parseManifest(MANIFEST, 'sites.yaml');
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  return parsed.manifest.enterprises[0]!;
})();

const base: ManualEntry = {
  id: 'me-1',
  enterpriseId: 'two-sites',
  kind: 'fuel-delivery',
  period: '2026-03',
  site: 'north',
  carrier: 'diesel',
  value: 20,
  unit: 't',
  document: 'DN-1',
  enteredBy: 'energy-manager',
  enteredAt: '2026-04-01T09:00:00+08:00',
};

const fields = (entry: ManualEntry, existing: ManualEntry[] = []) => checkManualEntry(entry, enterprise, existing).map((i) => [i.field, i.code]);

describe('checkManualEntry', () => {
  it('accepts a delivery, a stock, a production and a value added', () => {
    expect(fields(base)).toEqual([]);
    expect(fields({ ...base, kind: 'fuel-stock', period: '2026-03-31', document: 'stock-take' })).toEqual([]);
    expect(fields({ ...base, kind: 'production', site: undefined, carrier: undefined, product: 'cloth', value: 1200, unit: 'm2' })).toEqual([]);
    expect(fields({ ...base, kind: 'value-added', site: undefined, carrier: undefined, value: 512.5, unit: '10^4 CNY' })).toEqual([]);
  });

  it('takes a day’s mean outdoor temperature in °C, below zero too, and refuses one that is not', () => {
    const temperature: ManualEntry = { ...base, kind: 'outdoor-temperature', period: '2026-01-15', carrier: undefined, value: -3.5, unit: '°C', document: 'weather station 57516, daily mean' };
    expect(fields(temperature)).toEqual([]);
    expect(fields({ ...temperature, site: undefined })).toEqual([]);
    // 71.6 is 22 °C written in °F; a month is no day's mean; a temperature's zero is arbitrary, so no error in percent.
    expect(fields({ ...temperature, value: 71.6 })).toEqual([['value', 'MTL_DOMAIN_MANUAL_ENTRY_INVALID']]);
    expect(fields({ ...temperature, unit: '°F' })).toEqual([['unit', 'MTL_DOMAIN_MANUAL_ENTRY_INVALID']]);
    expect(fields({ ...temperature, period: '2026-01' })).toEqual([['period', 'MTL_DOMAIN_MANUAL_ENTRY_INVALID']]);
    expect(fields({ ...temperature, errorPercent: 1 })).toEqual([['errorPercent', 'MTL_DOMAIN_MANUAL_ENTRY_INVALID']]);
    // One station's mean per site and day: another is a correction.
    expect(fields({ ...temperature, id: 'me-2' }, [temperature])).toEqual([['period', 'MTL_DOMAIN_MANUAL_ENTRY_CONFLICT']]);
    expect(fields({ ...temperature, id: 'me-2', site: 'south' }, [temperature])).toEqual([]);
    // The accounting does not read it: entering one restates no month.
    expect(monthsBearingOn({ ...temperature, id: 'me-2', corrects: 'me-1', reason: 'station reading revised' }, temperature)).toEqual([]);
  });

  it('names every bad field', () => {
    const bad = { ...base, period: '2026-02-30', carrier: 'electricity', value: -1, unit: 'kWh', document: ' ', errorPercent: 0, site: undefined };
    expect(fields(bad).map(([f]) => f).sort()).toEqual(['carrier', 'document', 'errorPercent', 'period', 'site', 'unit', 'value']);
    expect(fields({ ...base, kind: 'value-added', unit: 'USD', site: 'north', carrier: undefined })).toEqual([['unit', 'MTL_DOMAIN_MANUAL_ENTRY_INVALID'], ['site', 'MTL_DOMAIN_MANUAL_ENTRY_INVALID']]);
    expect(fields({ ...base, kind: 'production', carrier: undefined })).toEqual([['product', 'MTL_DOMAIN_MANUAL_ENTRY_INVALID']]);
    expect(fields({ ...base, site: 'east' })).toEqual([['site', 'MTL_DOMAIN_MANUAL_ENTRY_INVALID']]);
    // Outside the years every store and period calculation holds.
    expect(fields({ ...base, period: '1969-12' })).toEqual([['period', 'MTL_DOMAIN_MANUAL_ENTRY_INVALID']]);
    expect(fields({ ...base, period: '2200-01' })).toEqual([['period', 'MTL_DOMAIN_MANUAL_ENTRY_INVALID']]);
    expect(fields({ ...base, reason: 'why' })).toEqual([['reason', 'MTL_DOMAIN_MANUAL_ENTRY_INVALID']]);
  });

  it('refuses a correction of an entry the enterprise does not have, or of one already corrected', () => {
    expect(fields({ ...base, id: 'me-2', corrects: 'me-of-another', reason: 'typo' }, [base])).toEqual([['corrects', 'MTL_DOMAIN_MANUAL_ENTRY_UNKNOWN']]);
    const fix = { ...base, id: 'me-2', value: 21, corrects: 'me-1', reason: 'weighbridge ticket reread' };
    expect(fields(fix, [base])).toEqual([]);
    expect(fields({ ...fix, id: 'me-3' }, [base, fix])).toEqual([['corrects', 'MTL_DOMAIN_MANUAL_ENTRY_CONFLICT']]);
    expect(fields({ ...fix, reason: undefined }, [base])).toEqual([['reason', 'MTL_DOMAIN_MANUAL_ENTRY_INVALID']]);
    expect(fields({ ...fix, kind: 'fuel-stock' }, [base])).toEqual([['kind', 'MTL_DOMAIN_MANUAL_ENTRY_INVALID']]);
  });

  it('refuses to state a standing fact again: the same delivery note, the same month-end stock, a reused id', () => {
    expect(fields({ ...base, id: 'me-2' }, [base])).toEqual([['document', 'MTL_DOMAIN_MANUAL_ENTRY_CONFLICT']]);
    const stock = { ...base, kind: 'fuel-stock' as const, period: '2026-03' };
    // A month's closing stock and a stock dated its last day are the same instant.
    expect(fields({ ...stock, id: 'me-2', period: '2026-03-31' }, [stock])).toEqual([['period', 'MTL_DOMAIN_MANUAL_ENTRY_CONFLICT']]);
    expect(fields({ ...stock, id: 'me-2', site: 'south' }, [stock])).toEqual([]);
    expect(fields({ ...base, document: 'DN-2' }, [base])).toEqual([['id', 'MTL_DOMAIN_MANUAL_ENTRY_CONFLICT']]);
  });
});

describe('correction chains', () => {
  const a = { ...base, id: 'a', enteredAt: '2026-04-01T09:00:00+08:00' };
  const b = { ...base, id: 'b', value: 21, corrects: 'a', reason: 'typo', enteredAt: '2026-04-02T09:00:00+08:00' };
  const c = { ...base, id: 'c', value: 22, corrects: 'b', reason: 'second ticket', enteredAt: '2026-04-03T09:00:00+08:00' };

  it('keeps only the latest of each chain, and the whole history readable', () => {
    expect(effectiveEntries([c, a, b]).map((e) => e.id)).toEqual(['c']);
    expect(manualEntryHistory([c, a, b]).map((r) => [r.entry.id, r.supersededBy])).toEqual([['a', 'b'], ['b', 'c'], ['c', null]]);
  });

  it('puts an entry before its correction when both were entered at one instant, whatever their ids', () => {
    const same = (e: ManualEntry) => ({ ...e, enteredAt: '2026-04-01T09:00:00+08:00' });
    const z = { ...a, id: 'z' };
    const y = { ...b, id: 'y', corrects: 'z' };
    const x = { ...c, id: 'x', corrects: 'y' };
    expect(manualEntryHistory([x, y, z].map(same)).map((r) => r.entry.id)).toEqual(['z', 'y', 'x']);
  });
});
