import { describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { run, EXIT_INPUT, EXIT_OK, EXIT_USAGE, type AccountOutput } from '../src/index.ts';

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

  it('prints a readable table with the same numbers', async () => {
    const r = await cli(['account', '--manifest', 'plant-month.yaml', '--readings', 'plant-month.csv', '--period', '2025-03']);
    expect(r.code).toBe(EXIT_OK);
    expect(r.stdout).toContain('101.522');
    expect(r.stdout).toMatch(/CO2 scope 2 location \(provincial 0\.5581 tCO2\/MWh\)\s+279\.050/);
    expect(r.stdout).toMatch(/main\s+500,000\.0 kWh\s+480,000\.0\s+20,000\.0\s+4\.00 %\s+4,395\.5\s+YES/);
  });
});

describe('meterline account: a day across a DST change (dst-day fixtures)', () => {
  it('accounts the 23-hour local day of 2025-03-30 in Europe/Berlin', async () => {
    const out = await account('dst-day.yaml', 'dst-day.csv', '2025-03-30');
    const e = out.enterprises[0]!;
    expect(e.period.start).toBe('2025-03-30T00:00:00+01:00');
    expect(e.period.end).toBe('2025-03-31T00:00:00+02:00');
    // 23:30+01 -> 00:30+01 (10 kWh, 1 h): half inside = 5
    // 00:30+01 -> 23:30+02 (220 kWh, 22 h of real time): wholly inside = 220
    // 23:30+02 -> 00:30+02 (10 kWh, 1 h): half inside = 5           => 230 kWh, coverage 100 %
    const m1 = e.points[0]!.consumption;
    expect(m1.value).toBeCloseTo(230, 9);
    expect(m1.coveragePercent).toBeCloseTo(100, 9);
    // scope 2 national 2023: 0.230 MWh x 0.5306 = 0.122038 tCO2
    expect(e.carbon.scope2Location.value).toBeCloseTo(0.122038, 9);
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

  it('runs as a program: exit code and stdout through main.ts', async () => {
    const main = fileURLToPath(new URL('../src/main.ts', import.meta.url));
    const exec = promisify(execFile);
    const { stdout } = await exec(process.execPath, ['--import', 'tsx', main, 'account', '--manifest', fixture('dst-day.yaml'), '--readings', fixture('dst-day.csv'), '--period', '2025-03-30', '--format', 'json']);
    expect((JSON.parse(stdout) as AccountOutput).enterprises[0]!.points[0]!.consumption.value).toBeCloseTo(230, 9);
    await expect(exec(process.execPath, ['--import', 'tsx', main, 'account'])).rejects.toMatchObject({ code: EXIT_USAGE });
  }, 20_000);
});
