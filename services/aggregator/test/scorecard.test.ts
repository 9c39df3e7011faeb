import { describe, expect, it } from 'vitest';
import { FIGURE_KINDS } from '@meterline/contracts';
import { calendarPeriod, createFactorCatalog, parseManifest, type ManualEntry } from '@meterline/domain';
import { FIGURE_DETAIL_FIELDS as D, FIGURE_TAGS as T, READING_FIELDS, READINGS_MEASUREMENT, readFigures, readingTags, writeManualEntries } from '@meterline/series';
import { aggregateEnterprise } from '../src/aggregate-enterprise.ts';
import { registryVersion } from '../src/registry-version.ts';
import { engineHarness } from './engine-harness.ts';

/**
 * Issue 15, item 2: the month unit publishes the regulator's scorecard as one quality_rule
 * figure per rule. February 2026 (28 days, Asia/Shanghai) of a plant with one hourly main meter
 * and no product.
 */
const parsed = parseManifest(
  `
version: 1
enterprises:
  - id: foundry
    name: Foundry
    region: CN-CQ
    gridRegion: southwest
    timeZone: Asia/Shanghai
    factorSet: { name: cn-2023, version: 1.0.0 }
    scope2Level: provincial
    sites:
      - id: s1
        name: Site 1
        meteringPoints:
          - { id: main, carrier: electricity, quantity: active-energy-import, unit: kWh, accuracyClass: 0.5, expectedInterval: PT1H,
              calibration: { certificate: c, validFrom: 2024-01-01, validUntil: 2029-12-31 }, topology: { role: boundary-input } }
    devices: []
`,
  'foundry.yaml',
);
if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
const enterprise = parsed.manifest.enterprises[0]!;
const factorSet = (() => {
  const r = createFactorCatalog().resolve('cn-2023', '1.0.0');
  if (!r.ok) throw r.error;
  return r.factor;
})();
const february = calendarPeriod('2026-02', enterprise.timeZone);
const HOUR = 3_600_000;

/** 10 kWh an hour, read on the hour from 1 Feb 00:00 to 1 Mar 00:00: readings 0 … 672. */
const reading = (i: number) => ({ measurement: READINGS_MEASUREMENT, tags: readingTags('foundry', 'main'), fields: { [READING_FIELDS.value]: 10 * i }, timestampMs: february.start + i * HOUR });
/** Silent from 10 Feb 01:00 to 14 Feb 00:00, both included: 96 hourly readings. */
const silent = (i: number) => i > 9 * 24 && i <= 9 * 24 + 96;
const hours = Array.from({ length: 673 }, (_, i) => i);

const money = (kind: 'output-value' | 'value-added', value: number): ManualEntry => ({
  id: kind, enterpriseId: 'foundry', kind, period: '2026-02', value, unit: '10^4 CNY', document: 'statistics form, February', enteredBy: 'accountant', enteredAt: '2026-03-05T10:00:00+08:00',
});

function harness() {
  const { store, published, restated, deps } = engineHarness();
  const run = () => aggregateEnterprise(deps, { enterprise, factorSet, registryVersion: registryVersion(enterprise), kinds: ['day', 'month'], range: february, now: Date.UTC(2026, 5, 1) });
  const rules = async () => {
    const stored = (await readFigures(store, 'foundry', february, ['month'])).filter((f) => f.measurement === FIGURE_KINDS.qualityRule);
    return new Map(stored.map((f) => [f.subject[T.rule]!, f]));
  };
  return { store, published, restated, run, rules };
}

describe('the month unit publishes the regulator scorecard, one quality_rule figure per rule', () => {
  it('fails completeness when the main meter is silent four days, and required indicators without output value and value added', async () => {
    const { store, run, rules, published } = harness();
    await store.write(hours.filter((i) => !silent(i)).map(reading));
    await run();
    const card = await rules();
    expect([...card.keys()].sort()).toEqual(['completeness', 'daily-monthly-consistency', 'daily-period-start', 'monthly-period-start', 'required-indicators']);
    expect(Object.fromEntries([...card].map(([rule, f]) => [rule, f.value]))).toEqual({
      completeness: 0,
      'daily-monthly-consistency': 1,
      'daily-period-start': 1,
      'monthly-period-start': 1,
      'required-indicators': 0,
    });
    // 672 hourly readings due in February, 96 missing: 576 of 672 = 85.714… % < 90 %.
    const completeness = card.get('completeness')!;
    expect(completeness).toMatchObject({
      enterpriseId: 'foundry',
      subject: { [T.region]: 'CN-CQ', [T.rule]: 'completeness' },
      periodKind: 'month',
      periodKey: '2026-02',
      startMs: february.start,
      endMs: february.end,
      unit: 'pass',
      expandedUncertainty: 0,
      // The register difference across the silence is exact: the month's energy is fully bounded.
      coveragePercent: 100,
      estimated: 0,
      flags: [],
      factorSet: 'cn-2023@1.0.0',
      revision: 0,
    });
    expect(completeness.detail).toMatchObject({
      [D.ruleSummary]: '1 finding(s): main: 85.7 % of the readings due',
      [D.ruleFindings]: 1,
      [D.ruleConfidence]: 'M',
      [D.ruleSet]: 'online-monitoring-upload-quality@1',
      [D.readingsReceived]: 576,
      [D.readingsExpected]: 672,
    });
    expect(completeness.detail[D.ruleRequirement]).toBe("every metering point's readings received / due >= 90 % over the month");
    expect(completeness.detail[D.ruleSource]).toMatch(/^provincial platform upload requirements/);
    expect(completeness.detail[D.completeness]).toBeCloseTo((576 / 672) * 100, 9);
    expect(card.get('required-indicators')!.detail).toMatchObject({ [D.ruleFindings]: 2, [D.ruleSummary]: '2 finding(s): output-value 2026-02 is missing; value-added 2026-02 is missing' });
    // 28 days × 3 daily indicators (comprehensive, primary and secondary energy) = 84 values start at 00:00.
    expect(card.get('daily-period-start')!.detail[D.ruleSummary]).toBe('84 daily value(s) start at 00:00');
    // Published on the bus like every figure.
    expect(published.filter((f) => f.measurement === FIGURE_KINDS.qualityRule)).toHaveLength(5);
  });

  it('restates a rule a recomputation turns: late readings pass completeness, the value added entered passes required indicators, each with its reason', async () => {
    const { store, run, rules, restated } = harness();
    await store.write(hours.filter((i) => !silent(i)).map(reading));
    await writeManualEntries(store, [money('output-value', 1200)]);
    await run();
    expect(restated).toEqual([]);

    // 60 of the 96 silent hours arrive late: 672 - 36 = 636 of 672 = 94.64 % >= 90 %.
    await store.write(hours.filter((i) => silent(i) && i <= 9 * 24 + 60).map(reading));
    await run();
    // Every rule's figure carries the month's completeness, so all five are restated; only completeness turns.
    const ofRules = () => restated.filter((r) => r.measurement === FIGURE_KINDS.qualityRule);
    expect(ofRules().map((r) => [r.subject[T.rule], r.old.value, r.new.value, r.new.revision, r.reason]).sort()).toEqual([
      ['completeness', 0, 1, 1, 'READINGS_CHANGED'],
      ['daily-monthly-consistency', 1, 1, 1, 'READINGS_CHANGED'],
      ['daily-period-start', 1, 1, 1, 'READINGS_CHANGED'],
      ['monthly-period-start', 1, 1, 1, 'READINGS_CHANGED'],
      ['required-indicators', 0, 0, 1, 'READINGS_CHANGED'],
    ]);
    expect(ofRules().find((r) => r.subject[T.rule] === 'completeness')!.detail).toBe(`value 0 → 1 pass; completeness ${(576 / 672) * 100} % → ${(636 / 672) * 100} %`);

    // The value added, entered by hand: a manual correction of the month, named in the restatement.
    await writeManualEntries(store, [money('value-added', 300)]);
    await run();
    expect(ofRules().slice(5).map((r) => [r.subject[T.rule], r.old.value, r.new.value, r.new.revision, r.reason])).toEqual([['required-indicators', 0, 1, 2, 'MANUAL_ENTRIES_CHANGED']]);
    expect(ofRules()[5]!.detail).toBe('value 0 → 1 pass; manual entries + value-added');
    const card = await rules();
    expect([...card.values()].every((f) => f.value === 1)).toBe(true);
    expect(card.get('required-indicators')!.detail[D.manualEntries]).toBe('output-value,value-added');

    // Nothing new: nothing restated.
    const before = restated.length;
    await run();
    expect(restated).toHaveLength(before);
  });
});
