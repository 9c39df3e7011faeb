import { describe, expect, it } from 'vitest';
import type { FigureV1 } from '@meterline/contracts';
import type { AlertRecord } from '@meterline/series';
import { applyCondition } from '../../src/alert-lifecycle.ts';
import { DEFAULT_RULES, parseAlertingConfig, type EnterpriseRules } from '../../src/alerting-config.ts';
import { figureConditions } from '../../src/rules/figure-rules.ts';
import { hourFigure } from '../hour-figure.ts';

// Issue 16, item 4: a dual-control target at risk or exceeded, judged on the month's target_progress figures.
const TZ_OFFSET = '+08:00';
const month = (key: string) => {
  const [y, m] = key.split('-').map(Number) as [number, number];
  const next = m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
  return { startMs: Date.parse(`${key}-01T00:00:00${TZ_OFFSET}`), endMs: Date.parse(`${next}-01T00:00:00${TZ_OFFSET}`) };
};
const RULE = 'at risk: projection above the ceiling within its U; exceeded: above it by more than U; on track: below it';

/**
 * The enterprise's 2026 target: at most 1 000 tce total energy, equivalent value. Its previous
 * year put 40 % of the year's energy in January–May, 48 % by June, 58 % by July: the aggregator
 * projects the year as the energy to date divided by that share.
 */
function progress(periodKey: string, status: string, projection: number, u: number, toDate: number, toDateU: number, months: number, over: Partial<FigureV1> = {}): FigureV1 {
  return hourFigure(
    { enterpriseId: 'e1', site: 's1', point: 'p1', startMs: 0 },
    {
      measurement: 'target_progress',
      subject: { region: 'CN-CQ', metric: 'energy-total', basis: 'equivalent' },
      periodKind: 'month',
      periodKey,
      ...month(periodKey),
      value: projection,
      unit: 'tce',
      expandedUncertainty: u,
      detail: { verdict: status, ceiling: 1_000, to_date: toDate, to_date_u: toDateU, months, profile: 'previous-year', status_rule: RULE, year: 2026, judged_against: 't-2026-energy@1000' },
      ...over,
    },
  );
}
// May: 410 tce to date / 0.40 = 1 025 tce projected, U 42: above the ceiling, within U.
const may = progress('2026-05', 'at-risk', 1_025, 42, 410, 8, 5);
// June: 512 tce to date / 0.48 = 1 066.666… tce, U 30: above the ceiling by more than U.
const june = progress('2026-06', 'exceeded', 512 / 0.48, 30, 512, 9, 6);
// July (the year's consumption slowed): 560 tce / 0.58 = 965.517… tce, U 25.
const july = progress('2026-07', 'on-track', 560 / 0.58, 25, 560, 10, 7);

const judge = (f: FigureV1, rules: EnterpriseRules = DEFAULT_RULES) => figureConditions(f, rules);

describe('target-at-risk (issue 16)', () => {
  it('holds while the latest month is at risk, as a warning, naming the projection ± U, the ceiling, the value to date and the rule', () => {
    expect(judge(may)).toEqual([
      {
        rule: 'target-at-risk',
        subject: { metric: 'energy-total', basis: 'equivalent' },
        holds: true,
        sinceMs: Date.parse('2026-05-01T00:00:00+08:00'),
        asOfMs: Date.parse('2026-06-01T00:00:00+08:00'),
        summary: `target energy-total (equivalent) 2026 at-risk as of 2026-05: projected 1025 ± 42 tce (k = 2) against the ceiling 1000 tce; to date 410 ± 8 tce over 5 month(s); rule: ${RULE}`,
        value: 1_025,
        threshold: 1_000,
        unit: 'tce',
        severity: 'warning',
      },
    ]);
  });

  it('holds while exceeded, as critical by default', () => {
    expect(judge(june)).toMatchObject([
      {
        holds: true,
        severity: 'critical',
        value: 1_066.667,
        threshold: 1_000,
        summary: `target energy-total (equivalent) 2026 exceeded as of 2026-06: projected 1066.667 ± 30 tce (k = 2) against the ceiling 1000 tce; to date 512 ± 9 tce over 6 month(s); rule: ${RULE}`,
      },
    ]);
  });

  it('is closed by a month on track, and names no severity then', () => {
    const [closing] = judge(july);
    expect(closing).toMatchObject({ holds: false, value: 965.517, threshold: 1_000, summary: `target energy-total (equivalent) 2026 on-track as of 2026-07: projected 965.517 ± 25 tce (k = 2) against the ceiling 1000 tce; to date 560 ± 10 tce over 7 month(s); rule: ${RULE}` });
    expect(closing).not.toHaveProperty('severity');
  });

  it('finds nothing in a month without data (neither safe nor at risk), an unknown status, another period kind, or when turned off', () => {
    expect(judge(progress('2026-08', 'no-data', 0, 0, 0, 0, 0))).toEqual([]);
    expect(judge(progress('2026-08', 'doomed', 2_000, 0, 900, 0, 8))).toEqual([]);
    expect(judge({ ...may, periodKind: 'year' })).toEqual([]);
    expect(judge(may, { ...DEFAULT_RULES, targetAtRisk: { ...DEFAULT_RULES.targetAtRisk, enabled: false } })).toEqual([]);
  });

  it('keeps one alert per metric and basis: a carbon-intensity target has no basis', () => {
    const carbon = progress('2026-05', 'at-risk', 0.52, 0.03, 0.5, 0.01, 5, { subject: { region: 'CN-CQ', metric: 'carbon-intensity' }, unit: 'tCO2/10^4 CNY' });
    expect(judge(carbon)[0]!.subject).toEqual({ metric: 'carbon-intensity' });
  });

  it('opens at risk, escalates to critical when exceeded, ignores a restated older month, and closes with the month on track', () => {
    const records = new Map<string, AlertRecord>();
    const apply = (f: FigureV1) => {
      const [c] = judge(f);
      return applyCondition(records, 'e1', c!, c!.severity ?? DEFAULT_RULES.targetAtRisk.severity, new Set());
    };
    expect(apply(may)).toMatchObject({ kind: 'fired', record: { alert: { severity: 'warning', status: 'firing', startsAt: '2026-04-30T16:00:00.000Z' } } });
    const escalated = apply(june);
    expect(escalated).toMatchObject({ kind: 'escalated', record: { alert: { severity: 'critical', status: 'firing', value: 1_066.667, startsAt: '2026-04-30T16:00:00.000Z' } } });
    expect(escalated!.record.alert.summary).toContain('exceeded as of 2026-06');
    // May restated (still at risk): older than June, so it neither lowers the severity nor writes.
    expect(apply(progress('2026-05', 'at-risk', 1_030, 42, 412, 8, 5))).toBeUndefined();
    expect(apply(july)).toMatchObject({ kind: 'resolved', record: { alert: { status: 'resolved', severity: 'critical', endsAt: '2026-07-31T16:00:00.000Z', value: 965.517 } } });
  });

  it('takes its settings from the alerting file: at risk a warning, exceeded critical by default; per enterprise; unknown members refused', () => {
    expect(DEFAULT_RULES.targetAtRisk).toEqual({ enabled: true, severity: 'warning', exceededSeverity: 'critical' });
    const parsed = parseAlertingConfig('version: 1\ndefaults: { targetAtRisk: { severity: info } }\nenterprises:\n  quiet: { rules: { targetAtRisk: { enabled: false } } }\n', 'alerting.yaml');
    if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
    expect(parsed.config.rulesFor('loud').targetAtRisk).toEqual({ enabled: true, severity: 'info', exceededSeverity: 'critical' });
    expect(parsed.config.rulesFor('quiet').targetAtRisk).toEqual({ enabled: false, severity: 'info', exceededSeverity: 'critical' });
    expect(judge(june, parsed.config.rulesFor('loud'))[0]!.severity).toBe('critical');
    expect(judge(may, parsed.config.rulesFor('loud'))[0]!.severity).toBe('info');
    expect(parseAlertingConfig('version: 1\ndefaults: { targetAtRisk: { ceiling: 1000 } }\n', 'alerting.yaml')).toMatchObject({ ok: false, errors: [expect.stringContaining('alerting.yaml/defaults/targetAtRisk')] });
  });
});
