import { describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { accountEnterprise, calendarPeriod, createFactorCatalog, indexRegistry, parseManifest, subPeriods, type FactorSetDefinition } from '@meterline/domain';
import { parseReadingsCsv, run, EXIT_INPUT, EXIT_OK, EXIT_USAGE, type AccountOutput } from '../src/index.ts';

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

async function cli(argv: string[]) {
  let stdout = '';
  let stderr = '';
  // File names are shown as given; tests pass fixture names and map them to real paths here.
  const code = await run(argv, {
    readFile: (p) => readFile(fixture(p), 'utf8'),
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
  });
  return { code, stdout, stderr };
}

async function account(manifest: string, readings: string, period: string, ...extra: string[]): Promise<AccountOutput> {
  const r = await cli(['account', '--manifest', manifest, '--readings', readings, '--period', period, '--format', 'json', ...extra]);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(EXIT_OK);
  return JSON.parse(r.stdout) as AccountOutput;
}

describe('meterline account: worked month (plant-month fixtures)', () => {
  it('reproduces the hand-computed figures', async () => {
    const out = await account('plant-month.yaml', 'plant-month.csv', '2025-03');
    expect(out.schema).toBe('meterline.account/v1');
    const e = out.enterprises[0]!;
    const p = (id: string) => e.points.find((x) => x.id === id)!;
    // main: register 90000 wraps at 100000 to 2500: (10000 + 2500) x 40 = 500 000 kWh
    expect(p('main').consumption.value).toBeCloseTo(500000, 6);
    // press, replaced on 03-14 10:00: (48211.6 - 28211.6) + (180000 - 0) = 200 000 kWh
    expect(p('press').consumption.value).toBeCloseTo(200000, 6);
    expect(p('press').consumption.quality.flags).toContain('replacement');
    // paint read in MWh, booked in kWh: 180 MWh = 180 000 kWh; gas: 150 000 - 12 x 10^4 = 30 000 Nm3; diesel: 12.5 t - 10 000 kg = 2.5 t
    expect(p('paint').consumption.value).toBeCloseTo(180000, 6);
    expect(p('gas').consumption.value).toBeCloseTo(30000, 6);
    expect(p('diesel').consumption.value).toBeCloseTo(2.5, 9);
    // tce: 61.45 (electricity) + 36.429 (gas) + 3.64275 (diesel) = 101.52175
    expect(e.tceEquivalent.value).toBeCloseTo(101.52175, 6);
    // balance: 500 000 - (200 000 + 180 000 + 100 000) = 20 000 kWh, U = 4 395.45 kWh: significant
    expect(e.balances[0]!.gap).toBeCloseTo(20000, 6);
    expect(e.balances[0]!.significant).toBe(true);
    // carbon: scope 1 64.950456 + 7.7397745; scope 2 500 MWh x 0.5581 (Chongqing 2023) = 279.05
    expect(e.carbon.scope1.value).toBeCloseTo(72.6902305, 5);
    expect(e.carbon.scope2Location.value).toBeCloseTo(279.05, 6);
    expect(e.carbon.scope2LocationFactor).toMatchObject({ level: 'provincial', value: 0.5581 });
    expect(e.issues).toEqual([]);
  });

  it('finds the month exact and covered, but with 1 of 2 976 readings per point: incomplete, flagged gap (issue 15)', async () => {
    const e = (await account('plant-month.yaml', 'plant-month.csv', '2025-03')).enterprises[0]!;
    // Each point is read at 1 March 00:00 and 1 April 00:00 and declares no cadence, so the default PT15M
    // expects 31 × 96 = 2 976 readings in March; the one at 1 March 00:00 is in it (1 April is April's).
    for (const p of e.points) {
      expect(p.consumption.coveragePercent, p.id).toBe(100);
      expect(p.consumption.quality, p.id).toMatchObject({ readingsReceived: 1, readingsExpected: 2976, estimated: 0 });
      expect(p.consumption.completenessPercent, p.id).toBeCloseTo(100 / 2976, 12);
      expect(p.consumption.quality.flags, p.id).toContain('gap');
    }
    expect(e.points.find((p) => p.id === 'main')!.consumption.quality.rollovers).toBe(1);
    // Standard coal pools its boundary inputs main, gas and diesel: 3 of 3 × 2 976 = 8 928 readings.
    expect(e.tceEquivalent.quality).toMatchObject({ readingsReceived: 3, readingsExpected: 8928 });
    expect(e.tceEquivalent.coveragePercent).toBe(100);
    // The balance of main pools main, press, paint, hvac: 4 of 11 904.
    expect(e.balances[0]!.quality).toMatchObject({ readingsReceived: 4, readingsExpected: 11904, estimatedPercent: 0, readingsOutsideCalibration: 0 });
  });

  it('prints scope 1 per fuel, estimated amounts, completeness, rollovers and readings outside calibration (issue 15)', async () => {
    // paint's calibration ends on 15 March: its reading of 1 April 00:00 is outside.
    const manifest = (await readFile(fixture('plant-month.yaml'), 'utf8')).replace('certificate: C-3, validFrom: 2024-01-01, validUntil: 2029-12-31', 'certificate: C-3, validFrom: 2024-01-01, validUntil: 2025-03-15');
    const files: Record<string, string> = { 'paint-expired.yaml': manifest, 'plant-month.csv': await readFile(fixture('plant-month.csv'), 'utf8') };
    let stdout = '';
    const code = await run(['account', '--manifest', 'paint-expired.yaml', '--readings', 'plant-month.csv', '--period', '2025-03'], {
      readFile: (p) => Promise.resolve(files[p]!),
      stdout: (t) => void (stdout += t),
      stderr: () => undefined,
    });
    expect(code).toBe(EXIT_OK);
    const line = (start: string) => stdout.split('\n').find((l) => l.startsWith(start));
    // point: coverage, completeness (received/expected), estimated, rollovers, readings outside calibration, flags
    expect(line('main ')).toMatch(/100\.0 %\s+0\.0 % \(1\/2,976\)\s+0\s+1\s+0\s+rollover gap$/);
    expect(line('paint ')).toMatch(/100\.0 %\s+0\.0 % \(1\/2,976\)\s+0\s+0\s+1\s+gap calibration-invalid$/);
    // scope 1 per fuel (see the worked month): gas 3 × 10^4 Nm3 → 64.950 tCO2, diesel 2.5 t → 7.740 tCO2
    expect(line('  scope 1 natural-gas ')).toMatch(/^ {2}scope 1 natural-gas \(3\.000 ± [\d.]+ 10\^4 Nm3\)\s+64\.950 ± 3\.001 tCO2\s+0\s+100\.0 %/);
    expect(line('  scope 1 diesel ')).toMatch(/^ {2}scope 1 diesel \(2\.500 ± [\d.]+ t\)\s+7\.740 ± [\d.]+ tCO2/);
    // the balance says one of its children is outside calibration, and which
    expect(stdout.split('\n').find((l) => l.startsWith('main ') && l.includes('YES'))).toMatch(/YES\s+0\.0 %\s+0\.0 % \(4\/11,904\)\s+1\s+rollover replacement gap calibration-invalid$/);
    expect(stdout).toMatch(/^ {2}main: child paint: completeness 0\.0 %, coverage 100\.0 %, estimated 0\.0 kWh, 1 readings outside calibration; gap calibration-invalid$/m);
  });

  it('prints a readable table with the same numbers', async () => {
    const r = await cli(['account', '--manifest', 'plant-month.yaml', '--readings', 'plant-month.csv', '--period', '2025-03']);
    expect(r.code).toBe(EXIT_OK);
    expect(r.stdout).toContain('101.522');
    expect(r.stdout).toMatch(/CO2 scope 2 location \(provincial 0\.5581 tCO2\/MWh\)\s+279\.050/);
    expect(r.stdout).toMatch(/main\s+500,000\.0 kWh\s+480,000\.0\s+20,000\.0\s+4\.00 %\s+4,395\.5\s+YES/);
  });
});

describe('meterline account: a point without readings (issue 15)', () => {
  it('prints "no data" for it, not a zero that reads as measured, and 0 % coverage', async () => {
    const csv = (await readFile(fixture('plant-month.csv'), 'utf8')).split('\n').filter((l) => !l.startsWith('paint,')).join('\n');
    const files: Record<string, string> = { 'plant-month.yaml': await readFile(fixture('plant-month.yaml'), 'utf8'), 'no-paint.csv': csv };
    let stdout = '';
    const code = await run(['account', '--manifest', 'plant-month.yaml', '--readings', 'no-paint.csv', '--period', '2025-03'], {
      readFile: (p) => Promise.resolve(files[p]!),
      stdout: (t) => void (stdout += t),
      stderr: () => undefined,
    });
    expect(code).toBe(EXIT_OK);
    const paint = stdout.split('\n').find((l) => l.startsWith('paint '));
    expect(paint).toMatch(/^paint\s+works\s+electricity\s+\S+\s+no data\s+no data\s+0\.0 %/);
    const press = stdout.split('\n').find((l) => l.startsWith('press '));
    expect(press).toMatch(/200,000\.000 ± [\d,.]+ kWh/);
  });
});

/** dst-day.yaml pins the German set of this file: the CLI takes a pinned custom set from it. */
const GERMAN_SET = ['--factor-set-file', 'german-factor-set.json'];

describe('meterline account: a day across a DST change (dst-day fixtures)', () => {
  it('accounts the 23-hour local day of 2025-03-30 in Europe/Berlin', async () => {
    const out = await account('dst-day.yaml', 'dst-day.csv', '2025-03-30', ...GERMAN_SET);
    const e = out.enterprises[0]!;
    expect(e.period.start).toBe('2025-03-30T00:00:00+01:00');
    expect(e.period.end).toBe('2025-03-31T00:00:00+02:00');
    // 23:30+01 -> 00:30+01 (10 kWh, 1 h): half inside = 5
    // 00:30+01 -> 23:30+02 (220 kWh, 22 h of real time): wholly inside = 220
    // 23:30+02 -> 00:30+02 (10 kWh, 1 h): half inside = 5           => 230 kWh, coverage 100 %
    const m1 = e.points[0]!.consumption;
    expect(m1.value).toBeCloseTo(230, 9);
    // m1 is read hourly (PT1H): its 1-hour intervals are within 1.5 h, interpolated as measured.
    expect(m1.coveragePercent).toBeCloseTo(100, 9);
    // 23 hourly readings expected on a 23-hour day; 2 came (00:30+01, 23:30+02): 8.70 %, a gap.
    expect(m1.quality).toMatchObject({ readingsReceived: 2, readingsExpected: 23, estimated: 0 });
    expect(m1.quality.flags).toEqual(['gap']);
    // scope 2 with the German set's national factor (China's sets do not cover Berlin, issue 15):
    // 0.230 MWh x 0.38 tCO2/MWh = 0.0874 tCO2
    expect(e.factorSet).toBe('de-grid@1');
    expect(e.carbon.scope2Location.value).toBeCloseTo(0.0874, 9);
  });
});

describe('meterline account --by', () => {
  const consumption = (out: AccountOutput, id: string) => out.enterprises.map((e) => e.points.find((p) => p.id === id)!.consumption.value);

  it('gives one entry per local hour of a DST day, each what accountEnterprise gives for that hour', async () => {
    const out = await account('dst-day.yaml', 'dst-day.csv', '2025-03-30', ...GERMAN_SET, '--by', 'hour');
    expect(out.options).toEqual({ equalValue: false, estimateGaps: false, by: 'hour' });
    const manifest = parseManifest(await readFile(fixture('dst-day.yaml'), 'utf8'), 'dst-day.yaml');
    if (!manifest.ok) throw new Error('fixture manifest');
    const { readings } = parseReadingsCsv(await readFile(fixture('dst-day.csv'), 'utf8'), 'dst-day.csv', indexRegistry(manifest.manifest));
    const enterprise = manifest.manifest.enterprises[0]!;
    const fs = createFactorCatalog([JSON.parse(await readFile(fixture('german-factor-set.json'), 'utf8')) as FactorSetDefinition]).resolveFor(enterprise);
    if (!fs.ok) throw fs.error;
    const hours = subPeriods(calendarPeriod('2025-03-30', enterprise.timeZone), 'hour');
    expect(hours).toHaveLength(23); // spring forward
    const direct = hours.map((h) => accountEnterprise(enterprise, readings, h, fs.factor));
    expect(out.enterprises).toEqual(JSON.parse(JSON.stringify(direct)));
    // The README's table: 10 kWh every hour; the first and last hours half measured, the inner ones estimated.
    const m1 = out.enterprises.map((e) => e.points[0]!.consumption);
    expect(m1.every((c) => Math.abs(c.value - 10) < 1e-9)).toBe(true);
    expect([m1[0]!, m1[22]!].map((c) => [c.quality.estimated, c.coveragePercent])).toEqual([[5, 50], [5, 50]]);
    expect(m1.slice(1, 22).every((c) => Math.abs(c.quality.estimated - 10) < 1e-9 && c.coveragePercent === 0)).toBe(true);
  });

  it('conserves consumption: the hours add up to the day, the days to the month', async () => {
    const day = await account('dst-day.yaml', 'dst-day.csv', '2025-03-30', ...GERMAN_SET);
    const hours = await account('dst-day.yaml', 'dst-day.csv', '2025-03-30', ...GERMAN_SET, '--by', 'hour');
    // 230 kWh over the 23-hour day (see the worked example).
    expect(consumption(hours, 'm1').reduce((a, b) => a + b, 0)).toBeCloseTo(consumption(day, 'm1')[0]!, 9);
    const month = await account('plant-month.yaml', 'plant-month.csv', '2025-03');
    const days = await account('plant-month.yaml', 'plant-month.csv', '2025-03', '--by', 'day');
    expect(days.enterprises.map((e) => e.period.key)).toEqual(subPeriods(calendarPeriod('2025-03', 'Asia/Shanghai'), 'day').map((d) => d.key));
    for (const { id } of month.enterprises[0]!.points) {
      const total = consumption(month, id)[0]!;
      expect(Math.abs(consumption(days, id).reduce((a, b) => a + b, 0) - total)).toBeLessThanOrEqual(1e-9 * total);
    }
  });

  it('prints one table block per sub-period, headed by its key', async () => {
    const r = await cli(['account', '--manifest', 'dst-day.yaml', '--readings', 'dst-day.csv', '--period', '2025-03-30', '--by', 'hour', ...GERMAN_SET]);
    expect(r.code).toBe(EXIT_OK);
    const heads = r.stdout.split('\n').filter((l) => /^2025-03-30T\d\d:00:00\+0[12]:00 \(hour, /.test(l));
    expect(heads).toHaveLength(23);
    // The first hour: 5 kWh measured, 5 kWh the estimated share of the 22-hour interval (see the README); 1 reading of 1.
    expect(r.stdout.split('\n').find((l) => l.startsWith('m1 '))).toMatch(/10\.000 ± [\d.]+ kWh.*50\.0 %\s+100\.0 % \(1\/1\)\s+5\.000 kWh\s+0\s+0\s+estimated$/);
    expect(heads[1]).toMatch(/^2025-03-30T01:00:00\+01:00 \(hour, 2025-03-30T01:00:00\+01:00 – 2025-03-30T03:00:00\+02:00\): DST test site/);
  });

  it('accounts a month by quarter-hours for 10 points: every quarter-hour measured and fully covered', async () => {
    // 10 points read every quarter-hour from just before to just after March (Asia/Shanghai).
    const ids = Array.from({ length: 10 }, (_, i) => `p${i}`);
    const manifest = `version: 1
enterprises:
  - { id: big, name: Big, region: CN-CQ, gridRegion: southwest, timeZone: Asia/Shanghai, factorSet: { name: cn-2023, version: 1.0.0 }, scope2Level: provincial, devices: [],
      sites: [{ id: s, name: S, meteringPoints: [${ids.map((id, i) => `{ id: ${id}, carrier: electricity, quantity: active-energy-import, unit: kWh, accuracyClass: 1,
        calibration: { certificate: c, validFrom: 2024-01-01, validUntil: 2029-12-31 }, topology: ${i === 0 ? '{ role: boundary-input }' : '{ role: sub-meter, parent: p0 }'} }`).join(', ')}] }] }
`;
    const rows = ['point,timestamp,quantity,value,unit'];
    const start = Date.parse('2025-03-01T00:00:00+08:00');
    for (let q = -1; q <= 2976 + 1; q++) {
      const at = new Date(start + q * 900_000).toISOString();
      ids.forEach((id, i) => rows.push(`${id},${at},active-energy-import,${(q + 1) * (i === 0 ? 90 : 10)},kWh`));
    }
    const files: Record<string, string> = { 'big.yaml': manifest, 'big.csv': rows.join('\n') };
    let stdout = '';
    let stderr = '';
    const code = await run(['account', '--manifest', 'big.yaml', '--readings', 'big.csv', '--period', '2025-03', '--by', 'quarter-hour', '--format', 'json'], {
      readFile: (p) => Promise.resolve(files[p]!),
      stdout: (t) => void (stdout += t),
      stderr: (t) => void (stderr += t),
    });
    expect(stderr).toBe('');
    expect(code).toBe(EXIT_OK);
    const out = JSON.parse(stdout) as AccountOutput;
    expect(out.enterprises).toHaveLength(2976); // 31 days x 96
    // p0 books 90 kWh in each quarter-hour, measured, fully covered.
    expect(consumption(out, 'p0').every((v) => Math.abs(v - 90) < 1e-9)).toBe(true);
    expect(out.enterprises.every((e) => e.points[0]!.consumption.coveragePercent === 100)).toBe(true);
  });

  it('refuses a sub-period longer than the period, or an unknown one', async () => {
    const r = await cli(['account', '--manifest', 'plant-month.yaml', '--readings', 'plant-month.csv', '--period', '2025-03-01', '--by', 'month']);
    expect(r.code).toBe(EXIT_USAGE);
    expect(r.stderr).toContain('--by month is longer than the period 2025-03-01 (a day)');
    const w = await cli(['account', '--manifest', 'plant-month.yaml', '--readings', 'plant-month.csv', '--period', '2025-03', '--by', 'week']);
    expect(w.code).toBe(EXIT_USAGE);
    expect(w.stderr).toContain('--by must be quarter-hour, hour, day, month, got "week"');
    // A sub-period as long as the period is the period itself.
    expect((await account('plant-month.yaml', 'plant-month.csv', '2025-03', '--by', 'month')).enterprises.map((e) => e.period.key)).toEqual(['2025-03']);
  });
});

describe('meterline account: readings saved by Excel (byte-order mark, CRLF, quoted fields)', () => {
  it('accounts excel-readings.csv (the plant-month readings as Excel saves them) to the same figures', async () => {
    const raw = await readFile(fixture('excel-readings.csv'));
    // The fixture is what the test claims it is: UTF-8 BOM, CRLF line ends, quoted fields.
    expect([...raw.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(raw.toString('utf8')).toContain('"kWh"\r\n');
    const e = (await account('plant-month.yaml', 'excel-readings.csv', '2025-03')).enterprises[0]!;
    const p = (id: string) => e.points.find((x) => x.id === id)!;
    // The same hand-computed numbers as plant-month.csv: main 500 000 kWh; gas 150 000 - "10^4 Nm3" x 12 = 30 000 Nm3.
    expect(p('main').consumption.value).toBeCloseTo(500000, 6);
    expect(p('gas').consumption.value).toBeCloseTo(30000, 6);
    expect(e.tceEquivalent.value).toBeCloseTo(101.52175, 6);
  });

  it('reads a quoted field whole and names line and field of each problem, stopping at a syntax error', async () => {
    const r = await cli(['account', '--manifest', 'plant-month.yaml', '--readings', 'excel-bad-readings.csv', '--period', '2025-03']);
    expect(r.code).toBe(EXIT_INPUT);
    expect(r.stderr.trim().split('\n')).toEqual([
      // a thousands separator in a quoted field: one field, not two
      'excel-bad-readings.csv:2: value: expected a non-negative register value, got "90,000"',
      'excel-bad-readings.csv:3: point: unknown metering point "main "A"" (not in the manifest)',
      expect.stringMatching(/^excel-bad-readings\.csv:5: value: unexpected character after a quoted field .*; reading stops here$/),
    ]);
  });
});

describe('meterline account: errors', () => {
  it('names file, line and field for each bad reading', async () => {
    const r = await cli(['account', '--manifest', 'plant-month.yaml', '--readings', 'bad-readings.csv', '--period', '2025-03']);
    expect(r.code).toBe(EXIT_INPUT);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toEqual([
      expect.stringMatching(/^bad-readings\.csv:3: point: unknown metering point "ghost"/),
      expect.stringMatching(/^bad-readings\.csv:4: timestamp: expected an ISO 8601 timestamp with offset/),
      expect.stringMatching(/^bad-readings\.csv:5: quantity: point "gas" measures volume, got "mass"/),
      expect.stringMatching(/^bad-readings\.csv:5: unit: "kg" does not convert to the point's unit Nm3/),
      expect.stringMatching(/^bad-readings\.csv:6: value: expected a non-negative register value, got "-5"/),
      expect.stringMatching(/^bad-readings\.csv:7: unit: "m3" does not convert to the point's unit kWh/),
      expect.stringMatching(/^bad-readings\.csv:8: expected 5 fields, found 4/),
    ]);
  });

  it('refuses instants that do not exist, naming line and field, where Date.parse would roll them into another day', async () => {
    const csv = [
      'point,timestamp,quantity,value,unit',
      'main,2025-03-01T00:00:00+08:00,active-energy-import,90000,kWh',
      'main,2025-02-30T05:30:00+08:00,active-energy-import,90100,kWh',
      'main,2025-02-29T05:30:00+08:00,active-energy-import,90100,kWh',
      'main,2025-03-02T24:00:00+08:00,active-energy-import,90200,kWh',
      'main,2025-03-02T23:60:00+08:00,active-energy-import,90200,kWh',
      'main,2025-04-01T00:00:00+08:00,active-energy-import,2500,kWh',
    ].join('\n');
    const files: Record<string, string> = { 'plant-month.yaml': await readFile(fixture('plant-month.yaml'), 'utf8'), 'dates.csv': csv };
    let stderr = '';
    const code = await run(['account', '--manifest', 'plant-month.yaml', '--readings', 'dates.csv', '--period', '2025-03'], {
      readFile: (p) => Promise.resolve(files[p]!),
      stdout: () => undefined,
      stderr: (t) => void (stderr += t),
    });
    expect(code).toBe(EXIT_INPUT);
    expect(stderr.trim().split('\n').map((l) => l.replace(/ expected .*, got /, ' got '))).toEqual([
      'dates.csv:3: timestamp: got "2025-02-30T05:30:00+08:00"',
      'dates.csv:4: timestamp: got "2025-02-29T05:30:00+08:00"',
      'dates.csv:5: timestamp: got "2025-03-02T24:00:00+08:00"',
      'dates.csv:6: timestamp: got "2025-03-02T23:60:00+08:00"',
    ]);
  });

  it('refuses a meter replacement dated on a day that does not exist, naming its path', async () => {
    const manifest = (await readFile(fixture('plant-month.yaml'), 'utf8')).replace('2025-03-14T10:00:00+08:00', '2025-02-30T10:00:00+08:00');
    const files: Record<string, string> = { 'swap.yaml': manifest, 'plant-month.csv': await readFile(fixture('plant-month.csv'), 'utf8') };
    let stderr = '';
    const code = await run(['account', '--manifest', 'swap.yaml', '--readings', 'plant-month.csv', '--period', '2025-03'], {
      readFile: (p) => Promise.resolve(files[p]!),
      stdout: () => undefined,
      stderr: (t) => void (stderr += t),
    });
    expect(code).toBe(EXIT_INPUT);
    expect(stderr).toMatch(/^swap\.yaml:\d+:\d+: \/enterprises\/0\/sites\/0\/meteringPoints\/\d+\/replacements\/0\/at: not an instant that exists: "2025-02-30T10:00:00\+08:00" \[MTL_DOMAIN_MANIFEST_INVALID_VALUE\]$/m);
  });

  it('lists the first 200 problems of a readings file, then one line with where the rest begin and how many', async () => {
    const rows = Array.from({ length: 500 }, (_, i) => `ghost,2025-03-01T00:${String(i % 60).padStart(2, '0')}:00+08:00,active-energy-import,${i},kWh`);
    const files: Record<string, string> = { 'plant-month.yaml': await readFile(fixture('plant-month.yaml'), 'utf8'), 'ghosts.csv': ['point,timestamp,quantity,value,unit', ...rows].join('\n') };
    let stderr = '';
    const code = await run(['account', '--manifest', 'plant-month.yaml', '--readings', 'ghosts.csv', '--period', '2025-03'], {
      readFile: (p) => Promise.resolve(files[p]!),
      stdout: () => undefined,
      stderr: (t) => void (stderr += t),
    });
    expect(code).toBe(EXIT_INPUT);
    const lines = stderr.trim().split('\n');
    // Rows are lines 2 to 501: lines 2 to 201 are listed, 300 more begin at line 202.
    expect(lines).toHaveLength(201);
    expect(lines[0]).toBe('ghosts.csv:2: point: unknown metering point "ghost" (not in the manifest)');
    expect(lines[199]).toBe('ghosts.csv:201: point: unknown metering point "ghost" (not in the manifest)');
    expect(lines[200]).toBe('ghosts.csv:202: 300 more problems from this line on are not listed (the first 200 are)');
  });

  it('names the line and column of a factor set the catalogue does not have', async () => {
    const manifest = (await readFile(fixture('plant-month.yaml'), 'utf8')).replace('factorSet: { name: cn-2023, version: 1.0.0 }', 'factorSet: { name: cn-2023, version: 9.9.9 }');
    const files: Record<string, string> = { 'unknown-set.yaml': manifest, 'plant-month.csv': await readFile(fixture('plant-month.csv'), 'utf8') };
    let stderr = '';
    const code = await run(['account', '--manifest', 'unknown-set.yaml', '--readings', 'plant-month.csv', '--period', '2025-03'], {
      readFile: (p) => Promise.resolve(files[p]!),
      stdout: () => undefined,
      stderr: (t) => void (stderr += t),
    });
    expect(code).toBe(EXIT_INPUT);
    // plant-month.yaml line 9: `    factorSet: { name: cn-2023, version: … }`, the mapping opening at column 16.
    expect(stderr).toMatch(/^unknown-set\.yaml:9:16: \/enterprises\/0\/factorSet: .*cn-2023.*9\.9\.9.* \[MTL_DOMAIN_FACTOR_SET_NOT_FOUND\]\n$/);
  });

  it('names file, line and JSON path for a bad manifest', async () => {
    const r = await cli(['account', '--manifest', 'bad-manifest.yaml', '--readings', 'plant-month.csv', '--period', '2025-03']);
    expect(r.code).toBe(EXIT_INPUT);
    // bad-manifest.yaml line 17 has `unit: m3` on an electricity point.
    expect(r.stderr).toMatch(/^bad-manifest\.yaml:17:\d+: \/enterprises\/0\/sites\/0\/meteringPoints\/0\/unit: unit "m3" does not measure active-energy-import/m);
  });

  it('rejects bad arguments with usage and a non-zero exit code', async () => {
    const r = await cli(['account', '--manifest', 'x.yaml', '--period', '2025-3', '--format', 'xml']);
    expect(r.code).toBe(EXIT_USAGE);
    expect(r.stderr).toContain('--readings is required');
    expect(r.stderr).toContain('--format must be json or table');
    expect(r.stderr).toContain('--period must be YYYY, YYYY-MM or YYYY-MM-DD');
    expect((await cli(['account', '--manifest', 'plant-month.yaml', '--readings', 'plant-month.csv', '--period', '2025-02-30'])).code).toBe(EXIT_USAGE);
    expect((await cli(['acount'])).code).toBe(EXIT_USAGE);
  });

  it('answers --help and -h with the usage and every option on stdout, exit 0, whatever else is given', async () => {
    for (const argv of [['account', '--help'], ['account', '-h'], ['account', '--period', 'nonsense', '--bogus', '-h']]) {
      const r = await cli(argv);
      expect(r.code, argv.join(' ')).toBe(EXIT_OK);
      expect(r.stderr).toBe('');
      expect(r.stdout).toMatch(/^usage: meterline account --manifest <file>/);
      // Every option of the README's table is described.
      for (const option of ['--manifest', '--readings', '--period', '--by', '--format', '--enterprise', '--equal-value', '--estimate-gaps', '-h, --help']) {
        expect(r.stdout, option).toMatch(new RegExp(`^\\s+${option} `, 'm'));
      }
    }
  });

  it('names each unknown option, missing value and stray argument, with usage and exit 64', async () => {
    const r = await cli(['account', '--manifest', '--readings', 'plant-month.csv', '--period', '2025-03', '--verbose', '-x', '--equal-value=yes', 'extra.csv']);
    expect(r.code).toBe(EXIT_USAGE);
    expect(r.stdout).toBe('');
    const messages = r.stderr.split('\n').filter((l) => l.startsWith('meterline account: '));
    expect(messages).toEqual([
      'meterline account: --manifest needs a value',
      'meterline account: unknown option "--verbose"',
      'meterline account: unknown option "-x"',
      'meterline account: --equal-value takes no value, got "yes"',
      'meterline account: unexpected argument "extra.csv" (every input is given with its option, e.g. --readings extra.csv)',
      'meterline account: --manifest is required',
    ]);
    expect(r.stderr).toContain('usage: meterline account');
    const twice = await cli(['account', '--manifest', 'plant-month.yaml', '--readings', 'plant-month.csv', '--period', '2025-03', '--period', '2025-04']);
    expect(twice.code).toBe(EXIT_USAGE);
    expect(twice.stderr).toContain('meterline account: --period is given twice');
  });

  it('takes --name=value as well as --name value', async () => {
    const out = await account('plant-month.yaml', 'plant-month.csv', '2025-03', '--by=month', '--enterprise=plant');
    expect(out.options.by).toBe('month');
    expect(out.enterprises.map((e) => e.id)).toEqual(['plant']);
  });

  it('runs as a program: exit code and stdout through main.ts', async () => {
    const main = fileURLToPath(new URL('../src/main.ts', import.meta.url));
    const exec = promisify(execFile);
    const { stdout } = await exec(process.execPath, ['--import', 'tsx', main, 'account', '--manifest', fixture('dst-day.yaml'), '--readings', fixture('dst-day.csv'), '--period', '2025-03-30', '--format', 'json', '--factor-set-file', fixture('german-factor-set.json')]);
    expect((JSON.parse(stdout) as AccountOutput).enterprises[0]!.points[0]!.consumption.value).toBeCloseTo(230, 9);
    await expect(exec(process.execPath, ['--import', 'tsx', main, 'account'])).rejects.toMatchObject({ code: EXIT_USAGE });
  }, 20_000);

  it('runs as a program: -h exits 0 with the usage, an unknown option exits 64', async () => {
    const main = fileURLToPath(new URL('../src/main.ts', import.meta.url));
    const exec = promisify(execFile);
    const [help, unknown] = await Promise.allSettled([
      exec(process.execPath, ['--import', 'tsx', main, 'account', '-h']),
      exec(process.execPath, ['--import', 'tsx', main, 'account', '--nope']),
    ]);
    expect(help).toMatchObject({ status: 'fulfilled', value: { stdout: expect.stringMatching(/^usage: meterline account/) as unknown } });
    expect(unknown).toMatchObject({ status: 'rejected', reason: { code: EXIT_USAGE, stderr: expect.stringContaining('unknown option "--nope"') as unknown } });
  }, 30_000);
});

describe('meterline account --factor-set-file: an auditor reruns a month with another coefficient (issue 15, item 5)', () => {
  it('accounts with the pinned set and with the file’s set, and gives both', async () => {
    const out = await account('plant-month.yaml', 'plant-month.csv', '2025-03', '--factor-set-file', 'oil-field-gas.yaml');
    const pinned = out.enterprises[0]!;
    const other = out.comparison!.enterprises[0]!;
    expect(out.comparison).toMatchObject({ factorSetFile: 'oil-field-gas.yaml', factorSet: 'cn-2023-oil-field-gas@1' });
    expect(pinned.factorSet).toBe('cn-2023@1.0.0');
    expect(other.factorSet).toBe('cn-2023-oil-field-gas@1');
    // gas: 30 000 Nm3 x 1.2143 kgce/m3 = 36.429 tce (gas-field) against 30 000 x 1.3300 = 39.900 tce (oil-field).
    expect(pinned.points.find((p) => p.id === 'gas')!.tce!.value).toBeCloseTo(36.429, 9);
    expect(other.points.find((p) => p.id === 'gas')!.tce!.value).toBeCloseTo(39.9, 9);
    // The enterprise: 101.52175 - 36.429 + 39.9 = 104.99275 tce; CO2 takes the fuel table, not standard coal: unchanged.
    expect(pinned.tceEquivalent.value).toBeCloseTo(101.52175, 6);
    expect(other.tceEquivalent.value).toBeCloseTo(104.99275, 6);
    expect(other.carbon.scope1.value).toBeCloseTo(pinned.carbon.scope1.value, 12);
  });

  it('prints both side by side in the table, with the difference', async () => {
    const r = await cli(['account', '--manifest', 'plant-month.yaml', '--readings', 'plant-month.csv', '--period', '2025-03', '--factor-set-file', 'oil-field-gas.yaml']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(EXIT_OK);
    expect(r.stdout).toContain('comparison with oil-field-gas.yaml:');
    const row = r.stdout.split('\n').find((l) => l.startsWith('energy, equivalent value') && l.includes('+'))!;
    // 104.99275 - 101.52175 = +3.471 tce, 3.471 / 101.52175 = 3.42 %.
    expect(row).toMatch(/101\.522 ± [\d.]+ tce\s+104\.993 ± [\d.]+ tce\s+\+3\.471 tce\s+3\.42 %$/);
  });

  it('checks the file like the API checks a custom set: each problem with its line, column and field', async () => {
    const r = await cli(['account', '--manifest', 'plant-month.yaml', '--readings', 'plant-month.csv', '--period', '2025-03', '--factor-set-file', 'bad-factor-set.yaml']);
    expect(r.code).toBe(EXIT_INPUT);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toEqual([
      'bad-factor-set.yaml:11:14: /overrides/standardCoal/0/value: standard coal coefficient (kgce/m3) 1330 outside the plausible range [0.01, 2.5] [MTL_DOMAIN_REFERENCE_INVALID]',
      'bad-factor-set.yaml:14:15: /overrides/standardCoal/0/source: a factor needs its source [MTL_DOMAIN_REFERENCE_INVALID]',
    ]);
  });

  it('refuses a shipped name and version, and a set that does not cover the enterprise, naming the field', async () => {
    const shipped = await cli(['account', '--manifest', 'plant-month.yaml', '--readings', 'plant-month.csv', '--period', '2025-03', '--factor-set-file', 'shipped-name-factor-set.yaml']);
    expect(shipped.code).toBe(EXIT_INPUT);
    expect(shipped.stderr).toMatch(/^shipped-name-factor-set\.yaml:2:10: \/version: cn-2023@1\.0\.0 is a shipped set/);
    const german = await cli(['account', '--manifest', 'plant-month.yaml', '--readings', 'plant-month.csv', '--period', '2025-03', '--factor-set-file', 'german-factor-set.json']);
    expect(german.code).toBe(EXIT_INPUT);
    expect(german.stderr).toMatch(/^german-factor-set\.json:4:14: \/regions: enterprise plant is in CN-CQ, which factor set de-grid@1 does not cover \(it covers DE\).*\[MTL_DOMAIN_FACTOR_SET_OUTSIDE_REGION\]\n$/);
  });

  it('refuses an enterprise outside its pinned set’s regions at the manifest’s line, instead of giving it China’s factors', async () => {
    const r = await cli(['account', '--manifest', 'berlin-month.yaml', '--readings', 'plant-month.csv', '--period', '2025-03']);
    expect(r.code).toBe(EXIT_INPUT);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^berlin-month\.yaml:9:16: \/enterprises\/0\/factorSet: enterprise plant is in DE-BE, which factor set cn-2023@1\.0\.0 does not cover \(it covers CN\).*\[MTL_DOMAIN_FACTOR_SET_OUTSIDE_REGION\]\n$/);
  });
});

describe('meterline account: products mapped to a limit standard (issue 16)', () => {
  it('reports each mapped product against its standard, and no verdict on an incomplete month', async () => {
    const out = await account('plant-month-limits.yaml', 'plant-month.csv', '2025-03');
    const [limits] = out.limits ?? [];
    expect(limits?.enterprise).toBe('plant');
    expect(limits?.period).toBe('2025-03');
    const c = limits!.compliance[0]!;
    expect([c.product, c.limitProduct, c.standard.id, c.bindingGrade]).toEqual(['parts', 'cement-clinker', 'GB 16780-2021', 'limit']);
    // The fixture's meters report 3 of the 8 928 readings due: far below 90 %, so no unit consumption is judged.
    expect(c.unitConsumption).toBeNull();
    expect(c.grades.map((g) => g.verdict)).toEqual(['unconfirmed', 'unconfirmed', 'unconfirmed']);
    expect(c.issues.map((i) => i.code)).toEqual(['MTL_DOMAIN_LIMIT_FIGURE_MISSING']);
    const table = await cli(['account', '--manifest', 'plant-month-limits.yaml', '--readings', 'plant-month.csv', '--period', '2025-03']);
    expect(table.stdout).toContain('limit standards, plant 2025-03:');
    expect(table.stdout).toContain('MTL_DOMAIN_LIMIT_FIGURE_MISSING');
  });

  it('names a limit product the shipped standards do not have, with its line', async () => {
    const r = await cli(['account', '--manifest', 'plant-month-unknown-limit.yaml', '--readings', 'plant-month.csv', '--period', '2025-03']);
    expect(r.code).toBe(EXIT_INPUT);
    expect(r.stderr).toMatch(/plant-month-unknown-limit\.yaml:\d+:\d+.*limitProduct.*"cement-klinker" is not a product of limit standards/);
  });
});

describe('meterline account --limit-standards-file (issue 16)', () => {
  it('judges mapped products against the file\'s standards instead of the shipped ones', async () => {
    const out = await account('plant-month-own-limits.yaml', 'plant-month.csv', '2025-03', '--limit-standards-file', 'own-limit-standards.yaml');
    const c = out.limits![0]!.compliance[0]!;
    expect(c.standard.id).toBe('GB 99999-2026');
    // Confirmed grades, but the month is incomplete (3 of 8 928 readings): no verdict; the unconfirmed advanced value stays unconfirmed.
    expect(c.grades.map((g) => g.verdict)).toEqual(['not-applicable', 'not-applicable', 'unconfirmed']);
  });

  it('refuses a file with a unit slip, naming its line and field', async () => {
    const r = await cli(['account', '--manifest', 'plant-month-own-limits.yaml', '--readings', 'plant-month.csv', '--period', '2025-03', '--limit-standards-file', 'bad-limit-standards.yaml']);
    expect(r.code).toBe(EXIT_INPUT);
    // 0.12 kgce/t is a value in tce/t under kgce/t; it also puts the access value 110 above the limit value.
    expect(r.stderr).toMatch(/bad-limit-standards\.yaml:13:\d+: \/products\/0\/grades\/limit\/value: 0\.12 kgce\/t is outside the plausible range/);
    expect(r.stderr).toMatch(/bad-limit-standards\.yaml:14:\d+: \/products\/0\/grades\/access\/value: access value 110 is above the limit value 0\.12/);
    expect(r.stderr).toContain('[MTL_DOMAIN_LIMIT_STANDARDS_INVALID]');
  });
});
