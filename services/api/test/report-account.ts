import { stringify } from 'yaml';
import { run, type AccountOutput } from '@meterline/cli';
import type { expect as vitestExpect } from 'vitest';
import type { EnterpriseFigures, Manifest } from '@meterline/domain';
import type { MonthlyReport as Report } from '../src/reports/report-schema.ts';

export interface StoredReadingRow {
  point: string;
  timestampMs: number;
  value: number;
}

/**
 * `meterline account --period <month> --equal-value --format json`, in-process, on every
 * stored reading written out as its readings CSV (UTC instants, the point's quantity and unit).
 */
export async function meterlineAccount(manifest: Manifest, readings: readonly StoredReadingRow[], month: string, enterpriseId: string): Promise<EnterpriseFigures> {
  const points = new Map(manifest.enterprises.flatMap((e) => e.sites.flatMap((s) => s.meteringPoints.map((p) => [p.id, p] as const))));
  const lines = ['point,timestamp,quantity,value,unit'];
  for (const r of readings) {
    const p = points.get(r.point);
    if (!p) throw new Error(`stored reading of unknown point ${r.point}`);
    lines.push(`${r.point},${new Date(r.timestampMs).toISOString()},${p.quantity},${String(r.value)},${p.unit}`);
  }
  const files: Record<string, string> = { 'm.yaml': stringify(manifest), 'r.csv': `${lines.join('\n')}\n` };
  let stdout = '';
  let stderr = '';
  const code = await run(['account', '--manifest', 'm.yaml', '--readings', 'r.csv', '--period', month, '--enterprise', enterpriseId, '--equal-value', '--format', 'json'], {
    readFile: (path) => Promise.resolve(files[path]!),
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
  });
  if (code !== 0) throw new Error(`meterline account exited ${code}: ${stderr}`);
  return (JSON.parse(stdout) as AccountOutput).enterprises[0]!;
}

/**
 * Compares the report with `meterline account`'s figures field by field (each figure whole:
 * value, unit, U, k, coverage, flags, estimated, suspects, calibration, factor set); returns
 * how many figures were compared. Sums by carrier are checked against the points' own tce.
 */
export function compareWithAccount(report: Report, account: EnterpriseFigures, expect: typeof vitestExpect): number {
  let compared = 0;
  const same = (label: string, actual: unknown, expected: unknown) => {
    expect(actual, label).toEqual(expected);
    compared++;
  };
  expect(report.period).toEqual({ start: account.period.start, end: account.period.end });
  expect(report.factorSet).toBe(account.factorSet);
  same('tceEquivalent', report.energy.comprehensive.tceEquivalent, account.tceEquivalent);
  same('tceEqualValue', report.energy.comprehensive.tceEqualValue, account.tceEqualValue);
  for (const [i, s] of account.sites.entries()) same(`site ${s.id}`, report.energy.sites[i], { id: s.id, name: s.name, tceEquivalent: s.tce });
  const { scope1ByFuel: _byFuel, scope2LocationFactor, ...scopes } = account.carbon;
  for (const [scope, figure] of Object.entries(scopes)) same(`carbon.${scope}`, report.carbon[scope as keyof typeof scopes], figure);
  expect(report.carbon.scope2LocationFactor).toEqual(scope2LocationFactor);
  expect(report.intensities).toHaveLength(account.intensities.length);
  for (const [i, x] of account.intensities.entries()) {
    same(`intensity ${x.product}`, report.intensities[i], x);
    if (x.tCO2PerUnit) compared++;
  }
  expect(report.meteringPoints.map((p) => p.id)).toEqual(account.points.map((p) => p.id));
  for (const [i, p] of account.points.entries()) {
    same(`${p.id} consumption`, report.meteringPoints[i]!.consumption, p.consumption);
    same(`${p.id} tce`, report.meteringPoints[i]!.tceEquivalent, p.tce);
    expect(report.coverage.points[i]).toEqual({ pointId: p.id, percent: p.consumption.coveragePercent });
    expect(report.calibration.find((c) => c.pointId === p.id)!.readingsOutsideCalibration).toBe(p.consumption.quality.readingsOutsideCalibration);
  }
  expect(report.coverage.percent).toBe(account.tceEquivalent.coveragePercent);
  expect(report.dataQuality.issues).toEqual(account.issues.map((i) => ({ code: i.code, message: i.message, pointId: i.pointId ?? null })));
  expect(report.dataQuality.suspectIntervals).toBe(account.points.reduce((n, p) => n + p.consumption.quality.suspectIntervals, 0));
  // By carrier: each row is the sum of its points' tce (outputs deducted), and the rows add up to the comprehensive figure.
  for (const row of report.energy.byCarrier) {
    const sign = row.direction === 'input' ? 1 : -1;
    const points = account.points.filter((p) => row.points.includes(p.id));
    expect(points.every((p) => p.carrier === row.carrier && p.role === `boundary-${row.direction}`)).toBe(true);
    expect(row.tceEquivalent.value).toBeCloseTo(sign * points.reduce((s, p) => s + (p.tce?.value ?? 0), 0), 9);
    compared++;
  }
  const net = (key: 'tceEquivalent' | 'tceEqualValue') => report.energy.byCarrier.reduce((s, r) => s + r[key].value, 0);
  expect(net('tceEquivalent')).toBeCloseTo(account.tceEquivalent.value, 9);
  expect(net('tceEqualValue')).toBeCloseTo(account.tceEqualValue!.value, 9);
  return compared;
}
