import { describe, expect, it } from 'vitest';
import type { FigureV1 } from '@meterline/contracts';
import { FIGURE_TAGS as T, type AlertRecord } from '@meterline/series';
import { applyCondition } from '../../src/alert-lifecycle.ts';
import { DEFAULT_RULES, parseAlertingConfig, type EnterpriseRules } from '../../src/alerting-config.ts';
import { figureConditions } from '../../src/rules/figure-rules.ts';
import { hourFigure } from '../hour-figure.ts';

// A day of the enterprise's standard coal judged against its declared baseline enb-2025 (ISO 50006).
const day = (key: string) => ({ periodKey: key, startMs: Date.parse(`${key}T00:00:00+08:00`), endMs: Date.parse(`${key}T00:00:00+08:00`) + 86_400_000 });

interface Day {
  actual: number;
  outside: string;
  change?: string;
  since?: string;
  fitPassed?: boolean;
  subject?: FigureV1['subject'];
}

/** The day's figure as the aggregator publishes it: value actual − expected; expected 10.1, interval 9.2–11.0 tce. */
function deviation(key: string, d: Day): FigureV1 {
  const expected = 10.1;
  return hourFigure(
    { enterpriseId: 'e1', site: 's1', point: 'p1', startMs: 0 },
    {
      measurement: 'baseline_deviation',
      subject: d.subject ?? { [T.baseline]: 'enb-2025' },
      periodKind: 'day',
      ...day(key),
      value: d.actual - expected,
      unit: 'tce',
      expandedUncertainty: 0,
      detail: {
        expected,
        prediction_low: 9.2,
        prediction_high: 11,
        outside: d.outside,
        cumulative_deviation: 6.9,
        cusum_upper: 1.2,
        cusum_lower: 0,
        change_signal: d.change ?? '',
        change_since: d.since ?? '',
        change_level: d.change === 'up' ? 1.3 : d.change === 'down' ? -1.3 : 0,
        fit_passed: d.fitPassed ?? true,
        cv_rmse: d.fitPassed === false ? 31.2 : 8.5,
      },
    },
  );
}

const both: EnterpriseRules = { ...DEFAULT_RULES, baselineDeviation: { ...DEFAULT_RULES.baselineDeviation, directions: ['above', 'below'] } };
const judge = (f: FigureV1, rules = DEFAULT_RULES) => figureConditions(f, rules);
const holds = (f: FigureV1, rules = DEFAULT_RULES) => judge(f, rules)[0]!.holds;

describe('baseline-deviation', () => {
  it('holds when the day is above the prediction interval: the actual against the interval’s upper end, per baseline', () => {
    expect(judge(deviation('2026-03-14', { actual: 12.4, outside: 'above' }))).toEqual([
      {
        rule: 'baseline-deviation',
        subject: { baseline: 'enb-2025' },
        holds: true,
        sinceMs: Date.parse('2026-03-14T00:00:00+08:00'),
        asOfMs: Date.parse('2026-03-15T00:00:00+08:00'),
        summary: 'enb-2025, 2026-03-14: 12.4 tce against 10.1 expected (95 % interval 9.2–11), above the interval; 6.9 tce above expected in all since the baseline period',
        value: 12.4,
        threshold: 11,
        unit: 'tce',
      },
    ]);
  });

  it('holds on a lasting rise the CUSUM found while the day itself is inside the interval', () => {
    const condition = judge(deviation('2026-03-14', { actual: 10.8, outside: 'inside', change: 'up', since: '2026-03-09' }))[0]!;
    expect(condition).toMatchObject({ holds: true, value: 10.8, threshold: 11 });
    expect(condition.summary).toBe(
      "enb-2025, 2026-03-14: 10.8 tce against 10.1 expected (95 % interval 9.2–11), inside the interval; a lasting rise of 1.3 tce a day since 2026-03-09 (the CUSUM's); 6.9 tce above expected in all since the baseline period",
    );
  });

  it('does not hold inside the interval without a lasting rise', () => {
    expect(holds(deviation('2026-03-14', { actual: 10.4, outside: 'inside' }))).toBe(false);
  });

  it('does not hold on a model that fails its fit criteria, and says why', () => {
    const condition = judge(deviation('2026-03-14', { actual: 14, outside: 'above', change: 'up', since: '2026-03-09', fitPassed: false }))[0]!;
    expect(condition.holds).toBe(false);
    expect(condition.summary).toMatch(/; not judged: the baseline's model fails its fit criteria \(CV\(RMSE\) 31\.2 %\)$/);
  });

  it('judges falls (a day below the interval, a lasting fall) only with directions [above, below]', () => {
    const below = deviation('2026-03-14', { actual: 3, outside: 'below' });
    const lastingFall = deviation('2026-03-14', { actual: 9.5, outside: 'inside', change: 'down', since: '2026-03-10' });
    expect([holds(below), holds(lastingFall)]).toEqual([false, false]);
    expect(judge(below)[0]!.summary).toMatch(/below the interval; .*; falls are not judged$/);
    expect([holds(below, both), holds(lastingFall, both)]).toEqual([true, true]);
    expect(judge(below, both)[0]).toMatchObject({ value: 3, threshold: 11 });
    // A rise holds with both directions too.
    expect(holds(deviation('2026-03-14', { actual: 12.4, outside: 'above' }), both)).toBe(true);
  });

  it('keeps one alert per baseline, a point’s baseline named in the summary only', () => {
    const condition = judge(deviation('2026-03-14', { actual: 12.4, outside: 'above', subject: { [T.baseline]: 'enb-boiler', [T.point]: 'p7' } }))[0]!;
    expect(condition.subject).toEqual({ baseline: 'enb-boiler' });
    expect(condition.summary.startsWith('enb-boiler (p7), 2026-03-14: ')).toBe(true);
  });

  it('finds nothing on another period kind, an incomplete or unknown detail, or when turned off', () => {
    const above = deviation('2026-03-14', { actual: 12.4, outside: 'above' });
    expect(judge({ ...above, periodKind: 'month' })).toEqual([]);
    expect(judge({ ...above, subject: {} })).toEqual([]);
    expect(judge({ ...above, detail: { ...above.detail, prediction_high: 'n/a' } })).toEqual([]);
    expect(judge({ ...above, detail: { ...above.detail, outside: 'sideways' } })).toEqual([]);
    expect(judge({ ...above, detail: { ...above.detail, change_signal: 'maybe' } })).toEqual([]);
    const { fit_passed: _, ...noVerdict } = above.detail;
    expect(judge({ ...above, detail: noVerdict })).toEqual([]);
    expect(judge(above, { ...DEFAULT_RULES, baselineDeviation: { ...DEFAULT_RULES.baselineDeviation, enabled: false } })).toEqual([]);
  });

  it('opens on the 14th, ignores an older day arriving late, and closes on the next day back inside after the CUSUM signals down', () => {
    const records = new Map<string, AlertRecord>();
    const apply = (f: FigureV1) => applyCondition(records, 'e1', judge(f)[0]!, DEFAULT_RULES.baselineDeviation.severity, new Set());
    expect(apply(deviation('2026-03-14', { actual: 12.4, outside: 'above', change: 'up', since: '2026-03-09' }))).toMatchObject({
      kind: 'fired',
      record: { alert: { severity: 'warning', subject: { baseline: 'enb-2025' }, startsAt: '2026-03-13T16:00:00.000Z', value: 12.4, threshold: 11 } },
    });
    // The 13th (before the change was signalled) is older than what the alert reflects: it neither closes nor changes it.
    expect(apply(deviation('2026-03-13', { actual: 10.3, outside: 'inside' }))).toBeUndefined();
    expect(records.get('e1/baseline-deviation/baseline=enb-2025')!.alert.status).toBe('firing');
    expect(apply(deviation('2026-03-15', { actual: 10.9, outside: 'inside', change: 'up', since: '2026-03-09' }))).toBeUndefined();
    const closed = apply(deviation('2026-03-20', { actual: 10, outside: 'inside', change: 'down', since: '2026-03-18' }));
    expect(closed).toMatchObject({ kind: 'resolved', record: { alert: { status: 'resolved', value: 10, endsAt: '2026-03-20T16:00:00.000Z' } } });
  });

  it('takes its settings from the alerting file: rises only by default, falls too per enterprise; unknown directions refused', () => {
    expect(DEFAULT_RULES.baselineDeviation).toEqual({ enabled: true, severity: 'warning', directions: ['above'] });
    const parsed = parseAlertingConfig(
      'version: 1\ndefaults: { baselineDeviation: { severity: critical } }\nenterprises:\n  watchful: { rules: { baselineDeviation: { directions: [above, below] } } }\n  quiet: { rules: { baselineDeviation: { enabled: false } } }\n',
      'alerting.yaml',
    );
    if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
    expect(parsed.config.rulesFor('other').baselineDeviation).toEqual({ enabled: true, severity: 'critical', directions: ['above'] });
    expect(parsed.config.rulesFor('watchful').baselineDeviation).toEqual({ enabled: true, severity: 'critical', directions: ['above', 'below'] });
    expect(parsed.config.rulesFor('quiet').baselineDeviation).toEqual({ enabled: false, severity: 'critical', directions: ['above'] });
    for (const bad of ['directions: [sideways]', 'directions: []', 'directions: [above, above]', 'period: day']) {
      const refused = parseAlertingConfig(`version: 1\ndefaults: { baselineDeviation: { ${bad} } }\n`, 'alerting.yaml');
      expect(!refused.ok && refused.errors.length > 0 && refused.errors.every((e) => e.startsWith('alerting.yaml/defaults/baselineDeviation'))).toBe(true);
    }
  });
});
