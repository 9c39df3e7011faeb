// The mining baseline's reference (test/reference/README.md): OpenDSM installs from PyPI into its own
// environment (slow the first time: about 1.2 GB of wheels, then reused from the cache directory) and
// its script prints one well-formed document. The figures themselves are compared by the mining tests.
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { VERSIONS, ensureMiningReference } from '../src/index.ts';
import { runCommand } from '../src/run-command.ts';

const SCRIPT = fileURLToPath(new URL('../../../test/reference/opendsm_baseline.py', import.meta.url));

interface Day {
  readonly date: string;
  readonly observed_kwh: number | null;
  readonly temperature_f: number | null;
}
interface ModelDoc {
  readonly combination: string;
  readonly submodels: Record<string, { readonly model_type: string; readonly degree_day_form: Record<string, number | boolean | null> }>;
  readonly fit_statistics_as_reported: Record<string, number | null>;
  readonly reporting: Record<string, number | null>;
}
interface ReferenceDoc {
  readonly schema: string;
  readonly reference: { readonly package: string; readonly version: string };
  readonly baseline: { readonly start: string; readonly end: string; readonly days: readonly Day[] };
  readonly reporting: { readonly start: string; readonly end: string; readonly days: readonly Day[] };
  readonly models: Record<string, ModelDoc>;
}

describe('the OpenDSM reference', () => {
  let python: string;
  beforeAll(async () => {
    ({ python } = await ensureMiningReference());
  }, 600_000);

  it('fits the legacy daily model on its sample and prints one document with the days, the model, the statistics and the savings', async () => {
    const { stdout } = await runCommand(python, [SCRIPT, '--models', 'legacy']);
    const doc = JSON.parse(stdout) as ReferenceDoc;
    expect(doc.schema).toBe('meterline.reference.opendsm-daily/1');
    expect(doc.reference).toMatchObject({ package: 'opendsm', version: VERSIONS.opendsm });
    expect(doc.baseline).toMatchObject({ start: '2015-12-27', end: '2016-12-26' });
    expect(doc.baseline.days).toHaveLength(365);
    expect(doc.reporting).toMatchObject({ start: '2017-01-04', end: '2018-01-04' });
    expect(doc.reporting.days).toHaveLength(365);
    for (const d of [...doc.baseline.days, ...doc.reporting.days]) {
      expect(d.date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(Number.isFinite(d.observed_kwh)).toBe(true);
      expect(Number.isFinite(d.temperature_f)).toBe(true);
    }

    const legacy = doc.models.legacy;
    expect(legacy?.combination).toBe('fw-su_sh_wi');
    const [submodel] = Object.values(legacy?.submodels ?? {});
    expect(submodel?.model_type).toBe('hdd_tidd_cdd');
    // The sample is simulated with balance points 60 °F (heating) and 65 °F (cooling).
    expect(submodel?.degree_day_form.hdd_balance_point_f).toBeGreaterThan(45);
    expect(submodel?.degree_day_form.cdd_balance_point_f).toBeLessThan(75);
    const stats = legacy?.fit_statistics_as_reported ?? {};
    expect(stats.n).toBe(365);
    expect(stats.r_squared).toBeGreaterThan(0.5);
    expect(stats.cvrmse_adj).toBeLessThan(1);
    const r = legacy?.reporting ?? {};
    expect(r.avoided_energy_kwh).toBeCloseTo((r.predicted_total_kwh ?? NaN) - (r.observed_total_kwh ?? NaN), 6);
    expect(r.savings_uncertainty_kwh).toBeGreaterThan(0);
  }, 180_000);
});
