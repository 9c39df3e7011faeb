import { expect, it } from 'vitest';
import type { FigureV1 } from '@meterline/contracts';
import { DEFAULT_RULES, parseAlertingConfig, type EnterpriseRules } from '../../src/alerting-config.ts';
import { figureConditions } from '../../src/rules/figure-rules.ts';
import { hourFigure } from '../hour-figure.ts';

const start = Date.parse('2026-11-27T08:00:00Z');
const HOUR = 3_600_000;
const figure = (over: Partial<FigureV1>): FigureV1 => hourFigure({ enterpriseId: 'e1', site: 's1', point: 'p1', startMs: start }, over);
const rules: EnterpriseRules = {
  ...DEFAULT_RULES,
  consumptionThreshold: {
    ...DEFAULT_RULES.consumptionThreshold,
    thresholds: [
      { points: ['p1'], period: 'hour', measure: 'energy', max: 150 },
      { carrier: 'electricity', period: 'quarter-hour', measure: 'mean-power', max: 400 },
    ],
  },
};
const byRule = (f: FigureV1) => Object.fromEntries(figureConditions(f, rules).map((c) => [c.rule, c]));

it('judges coverage and suspect counters on the configured period kind only', () => {
  expect(byRule(figure({ coveragePercent: 89.5 }))['low-coverage']).toMatchObject({ holds: true, value: 89.5, threshold: 90, sinceMs: start, asOfMs: start + HOUR });
  expect(byRule(figure({ coveragePercent: 90 }))['low-coverage']!.holds).toBe(false);
  expect(byRule(figure({ flags: ['gap', 'suspect-drop'] }))['suspect-counter']).toMatchObject({ holds: true, subject: { site: 's1', point: 'p1' } });
  expect(byRule(figure({ flags: ['suspect-over-capacity'] }))['suspect-counter']!.holds).toBe(true);
  expect(byRule(figure({ flags: ['gap'] }))['suspect-counter']!.holds).toBe(false);
  expect(byRule(figure({ periodKind: 'day', coveragePercent: 10 }))['low-coverage']).toBeUndefined();
});

it('compares energy per period, or its mean power, with the thresholds that name the point or its carrier', () => {
  expect(byRule(figure({ value: 151 }))['consumption-threshold']).toMatchObject({ holds: true, value: 151, threshold: 150, unit: 'kWh' });
  expect(byRule(figure({ value: 150 }))['consumption-threshold']!.holds).toBe(false);
  expect(byRule(figure({ subject: { site: 's1', point: 'p2', carrier: 'steam' }, value: 1_000 }))['consumption-threshold']).toBeUndefined();
  // 101 kWh in a quarter-hour is a mean of 404 kW.
  const quarter = figure({ periodKind: 'quarter-hour', endMs: start + HOUR / 4, value: 101 });
  expect(byRule(quarter)['consumption-threshold']).toMatchObject({ holds: true, value: 404, threshold: 400, unit: 'kWh/h', subject: { period: 'quarter-hour', measure: 'mean-power' } });
});

it('fires on a balance gap beyond the expanded uncertainty of the gap, either sign', () => {
  const balance = (value: number) =>
    figureConditions(figure({ measurement: 'energy_balance', subject: { site: 's1', node: 'main', carrier: 'electricity' }, value, expandedUncertainty: 12 }), rules)[0]!;
  expect(balance(-12.5)).toMatchObject({ rule: 'balance-gap', holds: true, value: 12.5, threshold: 12, subject: { site: 's1', node: 'main', carrier: 'electricity' } });
  expect(balance(12).holds).toBe(false);
});

it("fires while a month fails a rule of the regulator's scorecard, naming the rule, its finding and the month (issue 15, item 2)", () => {
  // February 2026 in Asia/Shanghai: 1 Feb 00:00 +08:00 to 1 Mar 00:00 +08:00.
  const month = { start: Date.parse('2026-02-01T00:00:00+08:00'), end: Date.parse('2026-03-01T00:00:00+08:00') };
  const qualityRule = (rule: string, value: number, summary: string, findings: number, over: Partial<FigureV1> = {}) =>
    figure({
      measurement: 'quality_rule',
      subject: { region: 'CN-CQ', rule },
      periodKind: 'month',
      periodKey: '2026-02',
      startMs: month.start,
      endMs: month.end,
      value,
      unit: 'pass',
      expandedUncertainty: 0,
      coveragePercent: 100,
      flags: [],
      detail: { summary, findings },
      ...over,
    });
  const failed = figureConditions(qualityRule('completeness', 0, '1 finding(s): main: 85.7 % of the readings due', 1), rules);
  expect(failed).toEqual([
    {
      rule: 'quality-rule-failed',
      subject: { rule: 'completeness' },
      holds: true,
      sinceMs: month.start,
      asOfMs: month.end,
      summary: 'scorecard rule completeness failed in 2026-02: 1 finding(s): main: 85.7 % of the readings due',
      value: 1,
      threshold: 0,
      unit: 'findings',
    },
  ]);
  const passed = figureConditions(qualityRule('completeness', 1, '1 of 1 points at or above 90 %', 0), rules);
  expect(passed).toMatchObject([{ rule: 'quality-rule-failed', subject: { rule: 'completeness' }, holds: false, value: 0, summary: 'scorecard rule completeness passed in 2026-02: 1 of 1 points at or above 90 %' }]);
  // Off: judged no more. A rule's figure of another period kind is no scorecard of a month.
  expect(figureConditions(qualityRule('completeness', 0, 'x', 1), { ...rules, qualityRule: { ...rules.qualityRule, enabled: false } })).toEqual([]);
  expect(figureConditions(qualityRule('completeness', 0, 'x', 1, { periodKind: 'day' }), rules)).toEqual([]);
});

it('takes the scorecard rule\'s setting from the alerting file: on by default as a warning, per enterprise, unknown members refused', () => {
  const parsed = parseAlertingConfig(
    'version: 1\ndefaults: { qualityRule: { severity: critical } }\nenterprises:\n  quiet: { rules: { qualityRule: { enabled: false } } }\n',
    'alerting.yaml',
  );
  if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
  expect(DEFAULT_RULES.qualityRule).toEqual({ enabled: true, severity: 'warning' });
  expect(parsed.config.rulesFor('loud').qualityRule).toEqual({ enabled: true, severity: 'critical' });
  expect(parsed.config.rulesFor('quiet').qualityRule).toEqual({ enabled: false, severity: 'critical' });
  expect(parseAlertingConfig('version: 1\ndefaults: { qualityRule: { minPercent: 90 } }\n', 'alerting.yaml')).toMatchObject({ ok: false, errors: [expect.stringContaining('alerting.yaml/defaults/qualityRule')] });
});
