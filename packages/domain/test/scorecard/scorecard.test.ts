import { describe, expect, it } from 'vitest';
import { calendarPeriod, scoreMonth, subPeriods, type IndicatorValue, type ScorecardInput, type ScorecardRule } from '../../src/index.ts';

/**
 * Issue 15, item 2: each rule of the regulator's scorecard passing and failing once, on
 * February 2026 in Asia/Shanghai (28 days, no DST), with values chosen by hand.
 */
const TZ = 'Asia/Shanghai';
const MONTH = '2026-02';
const DAYS = subPeriods(calendarPeriod(MONTH, TZ), 'day');
const MONTH_START = Date.parse('2026-02-01T00:00:00+08:00');

/** Every required indicator: 1 tce a day of each daily indicator, so 28 tce a month. */
function complete(): IndicatorValue[] {
  const values: IndicatorValue[] = [];
  for (const indicator of ['comprehensive-energy', 'primary-energy', 'secondary-energy'] as const) {
    for (const day of DAYS) values.push({ indicator, periodKind: 'day', periodKey: day.key, startMs: day.start, value: 1 });
    values.push({ indicator, periodKind: 'month', periodKey: MONTH, startMs: MONTH_START, value: 28 });
  }
  values.push({ indicator: 'output', product: 'castings', periodKind: 'month', periodKey: MONTH, startMs: MONTH_START, value: 400 });
  values.push({ indicator: 'unit-product-energy', product: 'castings', periodKind: 'month', periodKey: MONTH, startMs: MONTH_START, value: 0.07 });
  values.push({ indicator: 'output-value', periodKind: 'month', periodKey: MONTH, startMs: MONTH_START, value: 1200 });
  values.push({ indicator: 'value-added', periodKind: 'month', periodKey: MONTH, startMs: MONTH_START, value: 300 });
  return values;
}

const input = (over: Partial<ScorecardInput> = {}): ScorecardInput => ({
  enterpriseId: 'foundry',
  timeZone: TZ,
  month: MONTH,
  indicators: complete(),
  points: [{ pointId: 'main', completenessPercent: 100 }, { pointId: 'furnace', completenessPercent: 90 }],
  products: ['castings'],
  ...over,
});

const outcomeOf = (rule: ScorecardRule, i: ScorecardInput) => scoreMonth(i).outcomes.find((o) => o.rule === rule)!;

describe('the regulator scorecard', () => {
  it('passes every rule on a complete month, each citing its source', () => {
    const card = scoreMonth(input());
    expect(card.passed).toBe(true);
    expect(card.outcomes.map((o) => [o.rule, o.passed])).toEqual([
      ['completeness', true],
      ['daily-monthly-consistency', true],
      ['daily-period-start', true],
      ['monthly-period-start', true],
      ['required-indicators', true],
    ]);
    expect(card.rules).toBe('online-monitoring-upload-quality@1');
    for (const o of card.outcomes) expect(o.source).toMatch(/provincial platform/);
  });

  it('completeness: 90 % passes, 89.9 % fails and names the point', () => {
    const failing = outcomeOf('completeness', input({ points: [{ pointId: 'main', completenessPercent: 100 }, { pointId: 'furnace', completenessPercent: 89.9 }] }));
    expect(failing.passed).toBe(false);
    expect(failing.findings).toEqual(['furnace: 89.9 % of the readings due']);
  });

  it('daily against monthly: 4.76 % apart passes, 6.67 % fails', () => {
    const monthValue = (value: number) => complete().map((v) => (v.indicator === 'comprehensive-energy' && v.periodKind === 'month' ? { ...v, value } : v));
    // Days add up to 28; a month of 29.4 is |28 - 29.4| / 29.4 = 4.76 % apart: within 5 %.
    expect(outcomeOf('daily-monthly-consistency', input({ indicators: monthValue(29.4) })).passed).toBe(true);
    // A month of 30: 2 / 30 = 6.67 %.
    const failing = outcomeOf('daily-monthly-consistency', input({ indicators: monthValue(30) }));
    expect(failing.passed).toBe(false);
    expect(failing.findings).toEqual(['comprehensive-energy: the days add up to 28.0000, the month is 30.0000 (6.7 % apart)']);
  });

  it('daily period start: 1 min after 00:00 passes, 2 min fails', () => {
    const shifted = (minutes: number) => complete().map((v) => (v.indicator === 'primary-energy' && v.periodKey === '2026-02-10' ? { ...v, startMs: v.startMs + minutes * 60_000 } : v));
    expect(outcomeOf('daily-period-start', input({ indicators: shifted(1) })).passed).toBe(true);
    const failing = outcomeOf('daily-period-start', input({ indicators: shifted(2) }));
    expect(failing.passed).toBe(false);
    expect(failing.findings).toEqual(['primary-energy 2026-02-10: starts 2 min from 00:00']);
  });

  it('monthly period start: a day late passes, a day and a half fails (a month cut on UTC days starts 8 h late: within the day)', () => {
    const shifted = (hours: number) => complete().map((v) => (v.indicator === 'value-added' ? { ...v, startMs: v.startMs + hours * 3_600_000 } : v));
    expect(outcomeOf('monthly-period-start', input({ indicators: shifted(24) })).passed).toBe(true);
    expect(outcomeOf('monthly-period-start', input({ indicators: shifted(8) })).passed).toBe(true);
    const failing = outcomeOf('monthly-period-start', input({ indicators: shifted(36) }));
    expect(failing.passed).toBe(false);
    expect(failing.findings).toEqual(['value-added 2026-02: starts 1.50 days from the 1st']);
  });

  it('required indicators: a missing day, value added and a product’s unit consumption are each named', () => {
    const partial = complete().filter(
      (v) => !(v.indicator === 'secondary-energy' && v.periodKey === '2026-02-14') && v.indicator !== 'value-added' && v.indicator !== 'unit-product-energy',
    );
    const failing = outcomeOf('required-indicators', input({ indicators: partial }));
    expect(failing.passed).toBe(false);
    expect(failing.findings).toEqual([
      'secondary-energy 2026-02-14 is missing',
      'unit-product-energy of castings 2026-02 is missing',
      'value-added 2026-02 is missing',
    ]);
    // The missing day also makes its days fall short of the month: 27 of 28 tce, 3.6 % apart, still within 5 %.
    expect(outcomeOf('daily-monthly-consistency', input({ indicators: partial })).passed).toBe(true);
    expect(scoreMonth(input({ indicators: partial })).passed).toBe(false);
  });
});
