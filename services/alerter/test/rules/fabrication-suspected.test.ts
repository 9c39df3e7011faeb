import { describe, expect, it } from 'vitest';
import type { FigureV1 } from '@meterline/contracts';
import type { AlertRecord } from '@meterline/series';
import { applyCondition } from '../../src/alert-lifecycle.ts';
import { DEFAULT_RULES, parseAlertingConfig } from '../../src/alerting-config.ts';
import { figureConditions } from '../../src/rules/figure-rules.ts';
import { hourFigure } from '../hour-figure.ts';

// Issue 20: one fabrication detector's judgement of one metered point's month.
const month = (key: string, next: string) => ({ periodKey: key, startMs: Date.parse(`${key}-01T00:00:00+08:00`), endMs: Date.parse(`${next}-01T00:00:00+08:00`) });
const COPIED = 'p7 has 3 days whose profile repeats an earlier day interval for interval (2026-03-12 repeats 2026-03-05: they differ by 0.01 per interval where two real days of this meter differ by about 2.4).';

function finding(m: ReturnType<typeof month>, found: number, summary = found === 1 ? COPIED : ''): FigureV1 {
  return hourFigure(
    { enterpriseId: 'e1', site: 's1', point: 'p7', startMs: 0 },
    {
      measurement: 'fabrication_finding',
      subject: { point: 'p7', detector: 'copied-day' },
      periodKind: 'month',
      ...m,
      value: found,
      unit: 'finding',
      expandedUncertainty: 0,
      detail: { finding_summary: summary, evidence: found === 1 ? '{"copies":[{"date":"2026-03-12","sourceDate":"2026-03-05"}]}' : '{}' },
    },
  );
}

const MARCH = month('2026-03', '2026-04');
const APRIL = month('2026-04', '2026-05');
const judge = (f: FigureV1, rules = DEFAULT_RULES) => figureConditions(f, rules);

describe('fabrication-suspected (issue 20)', () => {
  it('holds when the detector found signs of fabrication (value 1), with its finding as the summary', () => {
    expect(judge(finding(MARCH, 1))).toEqual([
      {
        rule: 'fabrication-suspected',
        subject: { point: 'p7', detector: 'copied-day' },
        holds: true,
        sinceMs: MARCH.startMs,
        asOfMs: MARCH.endMs,
        summary: COPIED,
        value: 1,
        unit: 'finding',
      },
    ]);
  });

  it('does not hold on a clean month (value 0), and says so without a finding to quote', () => {
    expect(judge(finding(APRIL, 0))[0]).toMatchObject({ holds: false, summary: 'p7: the copied-day detector found nothing in 2026-04' });
  });

  it('finds nothing for another value, another period kind, a subject without its detector, or when turned off', () => {
    expect(judge(finding(MARCH, 0.5))).toEqual([]);
    expect(judge({ ...finding(MARCH, 1), periodKind: 'day' })).toEqual([]);
    expect(judge({ ...finding(MARCH, 1), subject: { point: 'p7' } })).toEqual([]);
    expect(judge(finding(MARCH, 1), { ...DEFAULT_RULES, fabricationSuspected: { ...DEFAULT_RULES.fabricationSuspected, enabled: false } })).toEqual([]);
  });

  it('keeps one alert per point and detector, a warning by default: opened in March, closed by a clean April', () => {
    const records = new Map<string, AlertRecord>();
    const apply = (f: FigureV1) => applyCondition(records, 'e1', judge(f)[0]!, DEFAULT_RULES.fabricationSuspected.severity, new Set());
    expect(apply(finding(MARCH, 1))).toMatchObject({ kind: 'fired', record: { alert: { severity: 'warning', summary: COPIED, subject: { point: 'p7', detector: 'copied-day' } } } });
    expect(apply(finding(APRIL, 0))).toMatchObject({ kind: 'resolved', record: { alert: { status: 'resolved', value: 0, endsAt: '2026-04-30T16:00:00.000Z' } } });
    // March restated later cannot reopen it: April is newer.
    expect(apply({ ...finding(MARCH, 1), revision: 1 })).toBeUndefined();
  });

  it('takes its settings from the alerting file: a warning by default; per enterprise; unknown members refused', () => {
    expect(DEFAULT_RULES.fabricationSuspected).toEqual({ enabled: true, severity: 'warning' });
    const parsed = parseAlertingConfig('version: 1\ndefaults: { fabricationSuspected: { severity: critical } }\nenterprises:\n  quiet: { rules: { fabricationSuspected: { enabled: false } } }\n', 'alerting.yaml');
    if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
    expect(parsed.config.rulesFor('loud').fabricationSuspected).toEqual({ enabled: true, severity: 'critical' });
    expect(parsed.config.rulesFor('quiet').fabricationSuspected).toEqual({ enabled: false, severity: 'critical' });
    expect(parseAlertingConfig('version: 1\ndefaults: { fabricationSuspected: { detectors: [copied-day] } }\n', 'alerting.yaml')).toMatchObject({
      ok: false,
      errors: [expect.stringContaining('alerting.yaml/defaults/fabricationSuspected')],
    });
  });
});
