import { describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { MAX_LISTED_ISSUES } from '@meterline/domain';
import { EXIT_INPUT, EXIT_OK, run, type AccountOutput } from '../src/index.ts';

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

/** Runs the CLI with fixture files, and `files` given inline by name. */
async function cli(argv: string[], files: Record<string, string> = {}) {
  let stdout = '';
  let stderr = '';
  const code = await run(argv, {
    readFile: (p) => (p in files ? Promise.resolve(files[p]!) : readFile(fixture(p), 'utf8')),
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
  });
  return { code, stdout, stderr };
}

const ARGS = ['account', '--manifest', 'plant-month.yaml', '--readings', 'plant-month.csv', '--period', '2025-03', '--format', 'json'];
const HEADER = 'enterprise,id,kind,period,carrier,product,value,unit,error-percent,document,entered-by,entered-at,corrects,reason';

describe('meterline account --manual (issue 15, item 3)', () => {
  it('accounts the month with a fuel known only by deliveries and stock, corrected, and the production filed by hand', async () => {
    const r = await cli([...ARGS, '--manual', 'plant-month-manual.csv']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(EXIT_OK);
    const out = JSON.parse(r.stdout) as AccountOutput;
    expect(out.manual).toBe('plant-month-manual.csv');
    const e = out.enterprises[0]!;
    const lpg = e.points.find((p) => p.id === 'manual:lpg')!;
    // 3 t (end of February) + 2 000 kg + … − 1.5 t (the corrected closing stock, me-4 superseding me-3's 2.5 t) = 3.5 t
    expect(lpg.consumption.value).toBeCloseTo(3.5, 12);
    expect(lpg.consumption.quality.flags).toEqual(['manual']);
    // GB/T 2589: 3 500 kg × 1.7143 kgce/kg = 6.00005 tce; the metered month is 101.52175 tce (account-command.test.ts): 107.5218 tce
    expect(lpg.tce!.value).toBeCloseTo(6.00005, 9);
    expect(e.tceEquivalent.value).toBeCloseTo(107.5218, 6);
    // GB/T 32150: 3.5 t × 50.179 GJ/t × 17.20 tC/TJ × 0.98 × 44/12 = 3.5 × 3.1013298 = 10.8546544 tCO2, beside 72.6902305 of gas and diesel
    expect(e.carbon.scope1ByFuel.find((f) => f.carrier === 'lpg')!.co2.value).toBeCloseTo(10.8546544, 6);
    expect(e.carbon.scope1.value).toBeCloseTo(72.6902305 + 10.8546544, 5);
    // Production: the filed 1 250 t counts, not the manifest's 1 000 t: 107.5218 / 1 250 = 0.08601744 tce/t
    expect(e.intensities[0]).toMatchObject({ product: 'parts', production: 1250 });
    expect(e.intensities[0]!.tcePerUnit.value).toBeCloseTo(0.08601744, 9);
    expect(e.issues.map((i) => i.code)).toEqual(['MTL_DOMAIN_MANUAL_OVERRIDES_MANIFEST']);
    expect(e.manualEntries).toEqual(['me-1', 'me-2', 'me-4', 'me-5']);
  });

  it('names the line and column of every bad entry, and stops', async () => {
    const file = [
      HEADER,
      'plant,me-1,fuel-stock,2025-02,lpg,,3,t,1,stock-take,em,2025-03-01T09:00:00+08:00,,',
      'plant,me-2,fuel-delivery,2025-03,electricity,,-2,kWh,,DN-1,em,2025-03-10T15:00:00+08:00,,',
      'nobody,me-3,production,2025-03,,parts,1,t,,report,em,2025-04-02T09:00:00+08:00,,',
      'plant,me-4,fuel-stock,2025-02,lpg,,3.5,t,1,stock-take again,em,2025-03-02T09:00:00+08:00,,',
      'plant,me-5,fuel-stock,2025-02,lpg,,3.5,t,1,recount,em,2025-02-30T09:00:00+08:00,me-9,typo',
    ].join('\n');
    const r = await cli([...ARGS, '--manual', 'm.csv'], { 'm.csv': file });
    expect(r.code).toBe(EXIT_INPUT);
    expect(r.stdout).toBe('');
    expect(r.stderr.split('\n').filter(Boolean)).toEqual([
      'm.csv:3: carrier: fuel-delivery needs a stocked fuel (raw-coal, washed-coal, coke, crude-oil, fuel-oil, gasoline, kerosene, diesel, lpg), got "electricity" [MTL_DOMAIN_MANUAL_ENTRY_INVALID]',
      'm.csv:3: value: expected a number ≥ 0, got -2 [MTL_DOMAIN_MANUAL_ENTRY_INVALID]',
      'm.csv:3: unit: a fuel is entered by mass (kg or t), got "kWh" [MTL_DOMAIN_MANUAL_ENTRY_INVALID]',
      'm.csv:4: enterprise: unknown enterprise "nobody" (not in the manifest)',
      'm.csv:5: period: entry me-1 already records the fuel-stock of 2025-02: correct it (corrects: me-1) instead [MTL_DOMAIN_MANUAL_ENTRY_CONFLICT]',
      'm.csv:6: entered-at: "2025-02-30T09:00:00+08:00" is not an instant with offset [MTL_DOMAIN_MANUAL_ENTRY_INVALID]',
      'm.csv:6: corrects: the enterprise has no entry me-9 [MTL_DOMAIN_MANUAL_ENTRY_UNKNOWN]',
    ]);
  });

  it('refuses a header without provenance', async () => {
    const r = await cli([...ARGS, '--manual', 'm.csv'], { 'm.csv': 'enterprise,id,kind,period,value,unit\nplant,me-1,production,2025-03,1,t\n' });
    expect(r.code).toBe(EXIT_INPUT);
    expect(r.stderr).toContain('m.csv:1: header must name the columns');
    expect(r.stderr).toContain('missing: document, entered-by, entered-at');
  });

  it(`lists at most ${MAX_LISTED_ISSUES} problems, then where the rest begin`, async () => {
    const bad = Array.from({ length: MAX_LISTED_ISSUES + 50 }, (_, i) => `nobody,me-${i},production,2025-03,,parts,1,t,,r,em,2025-04-02T09:00:00+08:00,,`);
    const r = await cli([...ARGS, '--manual', 'm.csv'], { 'm.csv': [HEADER, ...bad].join('\n') });
    const lines = r.stderr.split('\n').filter(Boolean);
    expect(lines).toHaveLength(MAX_LISTED_ISSUES + 1);
    // Line 1 is the header: the first bad entry is on line 2, the first one not listed on line 2 + MAX_LISTED_ISSUES.
    expect(lines.at(-1)).toBe(`m.csv:${2 + MAX_LISTED_ISSUES}: 50 more problems from this line on are not listed (the first ${MAX_LISTED_ISSUES} are)`);
  });
});
