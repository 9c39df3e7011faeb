import { describe, expect, it } from 'vitest';
import type { FigureV1 } from '@meterline/contracts';
import type { AlertRecord } from '@meterline/series';
import { applyCondition } from '../../src/alert-lifecycle.ts';
import { DEFAULT_RULES, parseAlertingConfig } from '../../src/alerting-config.ts';
import { figureConditions } from '../../src/rules/figure-rules.ts';
import { hourFigure } from '../hour-figure.ts';

// Issue 16, item 4: a product's unit energy consumption clearly above its limit standard, year to date.
// The grade values below are illustrative, not quoted from the standard.
const month = (key: string, next: string) => ({ startMs: Date.parse(`${key}-01T00:00:00+08:00`), endMs: Date.parse(`${next}-01T00:00:00+08:00`) });
const MONTHS = { '2026-05': month('2026-05', '2026-06'), '2026-06': month('2026-06', '2026-07'), '2026-07': month('2026-07', '2026-08') } as const;

function compliance(periodKey: keyof typeof MONTHS, value: number, u: number, verdict: string, over: { span?: string; detail?: FigureV1['detail'] } = {}): FigureV1 {
  return hourFigure(
    { enterpriseId: 'e1', site: 's1', point: 'p1', startMs: 0 },
    {
      measurement: 'limit_compliance',
      subject: { region: 'CN-CQ', product: 'clinker', standard: 'cement-clinker', span: over.span ?? 'year-to-date', site: 's1' },
      periodKind: 'month',
      periodKey,
      ...MONTHS[periodKey],
      value,
      unit: 'kgce/t',
      expandedUncertainty: u,
      detail: {
        verdict,
        binding_grade: 'limit',
        standard_number: 'GB 16780-2021',
        clause: '4.1',
        limit_value: 117,
        limit_verdict: verdict,
        access_value: 100,
        access_verdict: 'clearly-above',
        advanced_value: 94,
        advanced_verdict: 'clearly-above',
        months: 5,
        judged_against: 'limit-standards@1.0.0',
        ...over.detail,
      },
    },
  );
}

// January–May: 12 100 tce for 100 000 t of clinker = 121 kgce/t, U 3.2: 121 − 3.2 = 117.8 > 117, clearly above.
const aboveInMay = compliance('2026-05', 121, 3.2, 'clearly-above');
const judge = (f: FigureV1, rules = DEFAULT_RULES) => figureConditions(f, rules);

describe('limit-exceeded (issue 16)', () => {
  it('holds while the year to date is clearly above the binding grade, with the unit consumption against its value', () => {
    expect(judge(aboveInMay)).toEqual([
      {
        rule: 'limit-exceeded',
        subject: { product: 'clinker', standard: 'cement-clinker', site: 's1' },
        holds: true,
        sinceMs: Date.parse('2026-05-01T00:00:00+08:00'),
        asOfMs: Date.parse('2026-06-01T00:00:00+08:00'),
        summary: 'clinker at s1, year to date 2026-05: 121 ± 3.2 kgce/t (k = 2) against the limit value 117 kgce/t of GB 16780-2021 4.1: clearly-above',
        value: 121,
        threshold: 117,
        unit: 'kgce/t',
      },
    ]);
  });

  it('takes the access value as the threshold when the access grade binds (a new plant)', () => {
    const newPlant = compliance('2026-05', 104, 2, 'clearly-above', { detail: { binding_grade: 'access', clause: '4.2' } });
    expect(judge(newPlant)[0]).toMatchObject({ holds: true, threshold: 100, summary: 'clinker at s1, year to date 2026-05: 104 ± 2 kgce/t (k = 2) against the access value 100 kgce/t of GB 16780-2021 4.2: clearly-above' });
  });

  it('does not open on a verdict the data cannot support, and says why', () => {
    // 118.5 ± 3: from 115.5 to 121.5, the limit 117 inside.
    expect(judge(compliance('2026-06', 118.5, 3, 'undecidable'))[0]).toMatchObject({
      holds: false,
      summary: 'clinker at s1, year to date 2026-06: 118.5 ± 3 kgce/t (k = 2) against the limit value 117 kgce/t of GB 16780-2021 4.1: undecidable (not decidable at the data’s quality: the binding value lies within the expanded uncertainty)',
    });
    const unconfirmed = judge(compliance('2026-06', 130, 2, 'unconfirmed', { detail: { limit_value: 'absent' } }))[0]!;
    expect(unconfirmed).toMatchObject({ holds: false, summary: 'clinker at s1, year to date 2026-06: 130 ± 2 kgce/t (k = 2) against the limit value of GB 16780-2021 4.1: unconfirmed (not judged: the binding value is not confirmed from the standard’s text)' });
    expect(unconfirmed).not.toHaveProperty('threshold');
    expect(judge(compliance('2026-06', 130, 2, 'not-applicable'))[0]).toMatchObject({ holds: false, summary: 'clinker at s1, year to date 2026-06: 130 ± 2 kgce/t (k = 2) against the limit value 117 kgce/t of GB 16780-2021 4.1: not-applicable (not judged: no unit consumption comparable with the standard’s (none for the period, or electricity counted at another value than the standard’s))' });
    // 110 ± 3: at most 113, below 117.
    expect(judge(compliance('2026-06', 110, 3, 'clearly-below'))[0]).toMatchObject({ holds: false, summary: 'clinker at s1, year to date 2026-06: 110 ± 3 kgce/t (k = 2) against the limit value 117 kgce/t of GB 16780-2021 4.1: clearly-below (at or below the binding value even at the upper end of its uncertainty)' });
  });

  it('leaves a single month above to the dashboard: only the year-to-date span is judged', () => {
    expect(judge(compliance('2026-05', 125, 3, 'clearly-above', { span: 'month' }))).toEqual([]);
  });

  it('finds nothing for an unknown verdict, another period kind, or when turned off', () => {
    expect(judge(compliance('2026-05', 125, 3, 'perhaps'))).toEqual([]);
    expect(judge({ ...aboveInMay, periodKind: 'year' })).toEqual([]);
    expect(judge(aboveInMay, { ...DEFAULT_RULES, limitExceeded: { ...DEFAULT_RULES.limitExceeded, enabled: false } })).toEqual([]);
  });

  it('keeps one alert per product, standard and site: opened in May, held in June, closed by July undecidable', () => {
    const records = new Map<string, AlertRecord>();
    const apply = (f: FigureV1) => applyCondition(records, 'e1', judge(f)[0]!, DEFAULT_RULES.limitExceeded.severity, new Set());
    expect(apply(aboveInMay)).toMatchObject({ kind: 'fired', record: { alert: { severity: 'critical', subject: { product: 'clinker', standard: 'cement-clinker', site: 's1' } } } });
    expect(apply(compliance('2026-06', 120, 2.5, 'clearly-above'))).toBeUndefined();
    const closed = apply(compliance('2026-07', 118, 2.5, 'undecidable'));
    expect(closed).toMatchObject({ kind: 'resolved', record: { alert: { status: 'resolved', value: 118, endsAt: '2026-07-31T16:00:00.000Z' } } });
    expect(closed!.record.alert.summary).toContain('not decidable at the data’s quality');
  });

  it('takes its settings from the alerting file: critical by default; per enterprise; unknown members refused', () => {
    expect(DEFAULT_RULES.limitExceeded).toEqual({ enabled: true, severity: 'critical' });
    const parsed = parseAlertingConfig('version: 1\ndefaults: { limitExceeded: { severity: warning } }\nenterprises:\n  quiet: { rules: { limitExceeded: { enabled: false } } }\n', 'alerting.yaml');
    if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
    expect(parsed.config.rulesFor('loud').limitExceeded).toEqual({ enabled: true, severity: 'warning' });
    expect(parsed.config.rulesFor('quiet').limitExceeded).toEqual({ enabled: false, severity: 'warning' });
    expect(parseAlertingConfig('version: 1\ndefaults: { limitExceeded: { span: month } }\n', 'alerting.yaml')).toMatchObject({ ok: false, errors: [expect.stringContaining('alerting.yaml/defaults/limitExceeded')] });
  });
});
