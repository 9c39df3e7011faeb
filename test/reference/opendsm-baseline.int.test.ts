// Issue 20, item 5: Meterline's daily baseline checked against a reference no one here wrote.
// OpenDSM 1.2.7 (LF Energy's CalTRACK implementation, installed on demand: test/reference/README.md)
// fits its "legacy" daily model on its own sample meter and temperature data; the same days go
// through `meterline baseline` as its CSV. Two checks, with the tolerances argued in the README:
// - exact: Meterline's OLS at OpenDSM's balance points equals numpy's (lstsq, scipy's t) to 1e-9;
// - the whole method: Meterline's own balance-point search against OpenDSM's optimiser.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { run } from '@meterline/cli';
import { VERSIONS, ensureMiningReference } from '@meterline/local-stack';
import { fitBaseline, withDegreeDays, type DayObservation } from '@meterline/mining';

const SCRIPT = fileURLToPath(new URL('opendsm_baseline.py', import.meta.url));

interface Day {
  readonly date: string;
  readonly observed_kwh: number;
  readonly temperature_f: number;
}
interface Coefficient {
  readonly value: number;
  readonly std_error: number;
  readonly p_value: number;
}
interface ReferenceDoc {
  readonly schema: string;
  readonly reference: { readonly package: string; readonly version: string };
  readonly baseline: { readonly start: string; readonly end: string; readonly days: readonly Day[] };
  readonly reporting: { readonly start: string; readonly end: string; readonly days: readonly Day[] };
  readonly models: {
    readonly legacy: {
      readonly submodels: Record<string, { readonly model_type: string; readonly degree_day_form: { hdd_balance_point_f: number; cdd_balance_point_f: number } }>;
      readonly fit_statistics_of_final_predictions: { r_squared: number; cvrmse_adj: number; nmbe: number; n: number; sse: number };
      readonly reporting: { predicted_total_kwh: number; observed_total_kwh: number; avoided_energy_kwh: number; savings_uncertainty_kwh: number; confidence_level: number };
      readonly ols_at_opendsm_balance_points: {
        readonly hdd_balance_point_f: number;
        readonly cdd_balance_point_f: number;
        readonly coefficients: { intercept: Coefficient; hdd: Coefficient; cdd: Coefficient };
        readonly sse: number;
        readonly r_squared: number;
        readonly reporting_predicted_total_kwh: number;
      };
    };
  };
}

/** Meterline's output, as much of meterline.baseline/v1 as is compared. */
interface BaselineOutput {
  model: {
    degreeDays: { kind: string; balancePointsC: { heating: number | null; cooling: number | null } };
    statistics: { rSquared: number; cvRmsePercent: number; nmbePercent: number; n: number; p: number; meanActual: number };
    verdict: { passed: boolean };
  };
  reporting: { savings: { adjustedBaseline: number; actual: number; savings: number; U: number; model: { fractionalSavingsUncertainty: number; confidenceLevel: number } } };
}

const fToC = (f: number) => ((f - 32) * 5) / 9;
const cToF = (c: number) => (c * 9) / 5 + 32;
const startMsOf = (date: string) => Date.parse(`${date}T00:00:00Z`);

let doc: ReferenceDoc;

beforeAll(async () => {
  const { python } = await ensureMiningReference();
  const { stdout } = await promisify(execFile)(python, [SCRIPT, '--models', 'legacy'], { maxBuffer: 64 * 1024 * 1024 });
  doc = JSON.parse(stdout) as ReferenceDoc;
}, 900_000);

describe('the daily baseline against OpenDSM 1.2.7 on its own sample', () => {
  it('is the document the reference script promises: 365 baseline and 365 reporting days, the legacy model', () => {
    expect(doc.schema).toBe('meterline.reference.opendsm-daily/1');
    expect(doc.reference).toMatchObject({ package: 'opendsm', version: VERSIONS.opendsm });
    expect(doc.baseline.days).toHaveLength(365);
    expect(doc.reporting.days).toHaveLength(365);
    expect(Object.values(doc.models.legacy.submodels).map((m) => m.model_type)).toEqual(['hdd_tidd_cdd']);
  });

  it('fits, at OpenDSM’s balance points, the OLS numpy fits: coefficients, their errors and p-values, SSE and R² to 1e-9', () => {
    const ols = doc.models.legacy.ols_at_opendsm_balance_points;
    // In °F, as numpy had them: the degree days are the same numbers.
    const days: DayObservation[] = doc.baseline.days.map((d) => ({ startMs: startMsOf(d.date), energy: d.observed_kwh, energyU: 0, meanTemperature: d.temperature_f, vars: {} }));
    const fit = fitBaseline(withDegreeDays(days, { heating: ols.hdd_balance_point_f, cooling: ols.cdd_balance_point_f }), { variables: ['hdd', 'cdd'], granularity: 'daily' });
    if (!fit.ok) throw new Error(fit.error.message);
    const model = fit.value;
    const relative = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);
    for (const name of ['intercept', 'hdd', 'cdd'] as const) {
      const ours = model.coefficients.find((c) => c.name === name)!;
      const theirs = ols.coefficients[name];
      expect(relative(ours.estimate, theirs.value), name).toBeLessThan(1e-9);
      expect(relative(ours.standardError, theirs.std_error), name).toBeLessThan(1e-9);
      // p-values this small (1e-65 and below) are compared on their logarithm: both libraries' tail sums agree to that.
      expect(Math.abs(Math.log10(ours.pValue) - Math.log10(theirs.p_value)), name).toBeLessThan(1e-6);
    }
    const sse = model.residualStandardError ** 2 * model.degreesOfFreedom;
    expect(relative(sse, ols.sse)).toBeLessThan(1e-9);
    expect(Math.abs(model.statistics.rSquared! - ols.r_squared)).toBeLessThan(1e-9);
  });

  it('through meterline baseline, finds the balance points, fit and avoided energy OpenDSM finds, within the stated tolerances', async () => {
    const csv = ['date,energy,temperature', ...[...doc.baseline.days, ...doc.reporting.days].map((d) => `${d.date},${d.observed_kwh},${fToC(d.temperature_f).toFixed(6)}`)].join('\n');
    let stdout = '';
    let stderr = '';
    const last = (days: readonly Day[]) => days.at(-1)!.date;
    const code = await run(
      ['baseline', '--daily', 'opendsm-sample.csv', '--baseline', `${doc.baseline.days[0]!.date}..${last(doc.baseline.days)}`, '--reporting', `${doc.reporting.days[0]!.date}..${last(doc.reporting.days)}`, '--format', 'json'],
      { readFile: () => Promise.resolve(`${csv}\n`), stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t) },
    );
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const ours = JSON.parse(stdout) as BaselineOutput;
    const legacy = doc.models.legacy;
    const theirs = Object.values(legacy.submodels)[0]!.degree_day_form;
    const stats = legacy.fit_statistics_of_final_predictions;

    expect(ours.model.degreeDays.kind).toBe('hdd-cdd');
    const heatingF = cToF(ours.model.degreeDays.balancePointsC.heating!);
    const coolingF = cToF(ours.model.degreeDays.balancePointsC.cooling!);
    // Both minimise the squared error; OpenDSM's optimiser stops short of the least-squares fit (numpy's OLS at its own
    // balance points has a lower SSE than its final fit), so Meterline's grid search must do at least as well.
    const oursSse = ((ours.model.statistics.cvRmsePercent / 100) * ours.model.statistics.meanActual) ** 2 * (ours.model.statistics.n - ours.model.statistics.p);
    expect(oursSse).toBeLessThanOrEqual(stats.sse);
    // That error surface is flat in the balance points (0.6 % of SSE moves them 2 °F): within 3 °F of OpenDSM's.
    expect(Math.abs(heatingF - theirs.hdd_balance_point_f)).toBeLessThan(3);
    expect(Math.abs(coolingF - theirs.cdd_balance_point_f)).toBeLessThan(3);
    expect(ours.model.statistics.n).toBe(stats.n);
    // R² is the same quantity in both (for OLS with an intercept, 1 − SSE/SST is OpenDSM's corr²).
    expect(Math.abs(ours.model.statistics.rSquared - stats.r_squared)).toBeLessThan(0.005);
    // CV(RMSE): Meterline divides by n − 3 (its regression's parameters), OpenDSM by n − 5 (balance points counted): 0.3 % apart at n = 365.
    expect(Math.abs(ours.model.statistics.cvRmsePercent / 100 - stats.cvrmse_adj)).toBeLessThan(0.005);
    expect(ours.model.verdict.passed).toBe(true);

    const r = legacy.reporting;
    const savings = ours.reporting.savings;
    expect(savings.actual).toBeCloseTo(r.observed_total_kwh, 6);
    expect(Math.abs(savings.adjustedBaseline / r.predicted_total_kwh - 1)).toBeLessThan(0.01);
    expect(Math.abs(savings.savings / r.avoided_energy_kwh - 1)).toBeLessThan(0.1);
    console.log(
      [
        `OpenDSM ${doc.reference.version} legacy vs meterline baseline on OpenDSM's sample (${stats.n} baseline days):`,
        `  balance points °F: heating ${theirs.hdd_balance_point_f.toFixed(2)} vs ${heatingF.toFixed(2)}, cooling ${theirs.cdd_balance_point_f.toFixed(2)} vs ${coolingF.toFixed(2)}`,
        `  SSE ${stats.sse.toFixed(2)} vs ${oursSse.toFixed(2)} kWh²; R² ${stats.r_squared.toFixed(5)} vs ${ours.model.statistics.rSquared.toFixed(5)}; CV(RMSE) ${(100 * stats.cvrmse_adj).toFixed(3)} % vs ${ours.model.statistics.cvRmsePercent.toFixed(3)} %; NMBE ${(100 * stats.nmbe).toFixed(3)} % vs ${ours.model.statistics.nmbePercent.toFixed(3)} %`,
        `  reporting predicted ${r.predicted_total_kwh.toFixed(2)} vs ${savings.adjustedBaseline.toFixed(2)} kWh; avoided ${r.avoided_energy_kwh.toFixed(2)} vs ${savings.savings.toFixed(2)} kWh`,
        `  savings uncertainty: OpenDSM ±${r.savings_uncertainty_kwh.toFixed(1)} kWh at ${r.confidence_level} (Sun & Baltazar's daily factor); Meterline's model part ±${(savings.model.fractionalSavingsUncertainty * savings.savings).toFixed(1)} kWh at ${savings.model.confidenceLevel} (Guideline 14's 1.26), U (k = 2, meters included) ${savings.U.toFixed(1)} kWh`,
      ].join('\n'),
    );
  });
});
