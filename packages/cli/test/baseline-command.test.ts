import { describe, expect, it } from 'vitest';
import { run } from '../src/run.ts';
import type { baselineOutput } from '../src/baseline-command.ts';

type Output = ReturnType<typeof baselineOutput>;

/** Two years of days by a known law: 300 kWh + 0.5 kWh per unit + 8 kWh per degree below 16 °C; the second year 20 % below it. */
function dailyCsv(): string {
  let a = 5;
  const random = () => ((a = (a * 1_103_515_245 + 12_345) % 2_147_483_648), a / 2_147_483_648 - 0.5);
  const lines = ['date,energy,energy_u,production,temperature'];
  for (let i = 0; i < 730; i++) {
    const date = new Date(Date.UTC(2024, 0, 1) + i * 86_400_000).toISOString().slice(0, 10);
    const temperature = 12 - 11 * Math.cos((2 * Math.PI * i) / 366) + 3 * random();
    const production = 500 + 200 * random();
    const energy = (i < 366 ? 1 : 0.8) * (300 + 0.5 * production + 8 * Math.max(0, 16 - temperature)) + 15 * random();
    lines.push(`${date},${energy.toFixed(3)},${(energy * 0.01).toFixed(3)},${production.toFixed(2)},${temperature.toFixed(1)}`);
  }
  return `${lines.join('\n')}\n`;
}

async function baseline(args: string[], file = dailyCsv()) {
  let stdout = '';
  let stderr = '';
  const code = await run(['baseline', ...args], { readFile: (path) => (path === 'days.csv' ? Promise.resolve(file) : Promise.reject(new Error('no such file'))), stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t) });
  return { code, stdout, stderr };
}

describe('meterline baseline', () => {
  it('fits the year, finds the law, and measures the next year’s 20 % cut with its uncertainty (JSON)', async () => {
    const { code, stdout, stderr } = await baseline(['--daily', 'days.csv', '--baseline', '2024-01-01..2024-12-31', '--reporting', '2025-01-01..2025-12-30', '--format', 'json']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const out = JSON.parse(stdout) as Output;
    expect(out.schema).toBe('meterline.baseline/v1');
    expect(out.baseline.days).toBe(366);
    expect(out.model.degreeDays?.kind).toBe('hdd');
    expect(Math.abs(out.model.degreeDays!.balancePointsC.heating! - 16)).toBeLessThanOrEqual(1);
    expect(out.model.coefficients.find((c) => c.name === 'production')!.estimate).toBeCloseTo(0.5, 1);
    expect(out.model.verdict.passed).toBe(true);
    const savings = out.reporting!.savings;
    expect(savings.claim.allowed).toBe(true);
    expect(Math.abs(savings.savingsFraction - 0.2)).toBeLessThan(savings.U / savings.adjustedBaseline);
  });

  it('prints a table a person reads', async () => {
    const { code, stdout } = await baseline(['--daily', 'days.csv', '--baseline', '2024-01-01..2024-12-31', '--reporting', '2025-01-01..2025-12-30']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^baseline 2024-01-01\.\.2024-12-31: 366 days$/m);
    expect(stdout).toMatch(/^verdict: meets ashrae-guideline-14-baseline-criteria 1\.0\.0$/m);
    expect(stdout).toMatch(/^ {2}savings \d+\.\d ± \d+\.\d kWh \(U, k = 2; \d+\.\d %\)$/m);
    // The cut is a share of a seasonal load, so the CUSUM around one level finds it again as the season moves; its first change is the cut's day.
    expect(stdout).toMatch(/^CUSUM change points: down from 2025-01-01 \(signalled 2025-01-01\), /m);
  });

  it('says what is wrong with the arguments (64) and names the line and field of a bad file (65)', async () => {
    const usage = await baseline(['--daily', 'days.csv', '--baseline', '2024-12-31..2024-01-01', '--variables', 'humidity']);
    expect(usage.code).toBe(64);
    expect(usage.stderr).toContain('--baseline must be two days, the first not after the second');
    expect(usage.stderr).toContain('--variables takes production, workingDay, degreeDays; unknown: humidity');
    const bad = await baseline(['--daily', 'days.csv', '--baseline', '2024-01-01..2024-12-31'], 'date,energy,temperature\n2024-01-01,12,71.6\n');
    expect(bad.code).toBe(65);
    expect(bad.stderr).toBe('days.csv:2: temperature: expected the day’s mean outdoor temperature in °C, -90 to 60, got "71.6"\n');
    expect((await baseline(['--daily', 'missing.csv', '--baseline', '2024-01-01..2024-12-31'])).code).toBe(66);
  });
});
