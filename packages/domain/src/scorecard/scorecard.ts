import rulesData from '../reference/data/monitoring-quality-rules.json' with { type: 'json' };
import { calendarPeriod, subPeriods } from '../calendar/period.ts';
import type { Confidence } from '../reference/factor.ts';

/**
 * The regulator's upload data-quality rules for a key energy-consuming unit's online
 * monitoring, judged per enterprise and month on what was published (reference data:
 * monitoring-quality-rules.json, with the source and confidence of each rule).
 */

/** The indicators a key unit uploads (energy-carbon reference, §9). */
type IndicatorId = 'comprehensive-energy' | 'primary-energy' | 'secondary-energy' | 'output' | 'unit-product-energy' | 'output-value' | 'value-added';

/** Indicators uploaded per day and per month; the others per month. */
const DAILY_INDICATORS: readonly IndicatorId[] = ['comprehensive-energy', 'primary-energy', 'secondary-energy'];

/** One published value of an indicator. */
export interface IndicatorValue {
  indicator: IndicatorId;
  /** The product, for output and unit-product energy consumption. */
  product?: string;
  periodKind: 'day' | 'month';
  /** YYYY-MM-DD or YYYY-MM in the enterprise's time zone. */
  periodKey: string;
  /** Start of the period the value was published for, epoch ms. */
  startMs: number;
  value: number;
}

export interface ScorecardInput {
  enterpriseId: string;
  timeZone: string;
  /** YYYY-MM. */
  month: string;
  indicators: readonly IndicatorValue[];
  /** Data completeness of each metering point over the month: readings received / readings expected, in percent. */
  points: ReadonlyArray<{ pointId: string; completenessPercent: number }>;
  /** Products whose output and unit-product energy consumption must be uploaded. */
  products: readonly string[];
}

export type ScorecardRule = 'completeness' | 'daily-monthly-consistency' | 'daily-period-start' | 'monthly-period-start' | 'required-indicators';

interface RuleOutcome {
  rule: ScorecardRule;
  /** What the rule asks, with its threshold. */
  requirement: string;
  source: string;
  confidence: Confidence;
  passed: boolean;
  /** One line: what was found. */
  detail: string;
  /** Each subject that fails (a point, an indicator and period), at most MAX_FINDINGS. */
  findings: string[];
}

export interface Scorecard {
  enterpriseId: string;
  month: string;
  /** The rules' reference data, id@version. */
  rules: string;
  passed: boolean;
  outcomes: RuleOutcome[];
}

const MAX_FINDINGS = 50;
const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
const RULES = rulesData.rules;

const percent = (v: number): string => `${(Math.round(v * 10) / 10).toFixed(1)} %`;
const subjectOf = (v: { indicator: IndicatorId; product?: string }): string => (v.product === undefined ? v.indicator : `${v.indicator} of ${v.product}`);

function outcome(rule: ScorecardRule, requirement: string, source: { source: string; confidence: string }, findings: string[], okDetail: string): RuleOutcome {
  const passed = findings.length === 0;
  return {
    rule,
    requirement,
    source: source.source,
    confidence: source.confidence as Confidence,
    passed,
    detail: passed ? okDetail : `${findings.length} finding(s): ${findings.slice(0, 3).join('; ')}${findings.length > 3 ? '; …' : ''}`,
    findings: findings.slice(0, MAX_FINDINGS),
  };
}

function completeness(input: ScorecardInput): RuleOutcome {
  const min = RULES.completeness.minPercent;
  const findings = input.points.filter((p) => p.completenessPercent < min).map((p) => `${p.pointId}: ${percent(p.completenessPercent)} of the readings due`);
  return outcome('completeness', `every metering point's readings received / due >= ${min} % over the month`, RULES.completeness, findings, `${input.points.length} of ${input.points.length} points at or above ${min} %`);
}

function consistency(input: ScorecardInput): RuleOutcome {
  const max = RULES.dailyMonthlyConsistency.maxDeviationPercent;
  const findings: string[] = [];
  let compared = 0;
  for (const indicator of DAILY_INDICATORS) {
    const month = input.indicators.find((v) => v.indicator === indicator && v.periodKind === 'month' && v.periodKey === input.month);
    if (!month) continue; // a missing figure is the required-indicators rule's finding
    compared++;
    const days = input.indicators.filter((v) => v.indicator === indicator && v.periodKind === 'day' && v.periodKey.startsWith(`${input.month}-`));
    const sum = days.reduce((s, v) => s + v.value, 0);
    const deviation = month.value === 0 ? (sum === 0 ? 0 : Infinity) : (100 * Math.abs(sum - month.value)) / Math.abs(month.value);
    if (deviation > max) findings.push(`${indicator}: the days add up to ${sum.toPrecision(6)}, the month is ${month.value.toPrecision(6)} (${Number.isFinite(deviation) ? percent(deviation) : 'no month value to compare'} apart)`);
  }
  return outcome('daily-monthly-consistency', `the days of an indicator add up to its month within ${max} %`, RULES.dailyMonthlyConsistency, findings, `${compared} indicator(s) within ${max} %`);
}

function periodStarts(input: ScorecardInput, kind: 'day' | 'month'): RuleOutcome {
  const tolerance = kind === 'day' ? RULES.dailyPeriodStart.toleranceMinutes * MINUTE_MS : RULES.monthlyPeriodStart.toleranceDays * DAY_MS;
  const values = input.indicators.filter((v) => v.periodKind === kind && v.periodKey.startsWith(input.month));
  const findings = values.flatMap((v) => {
    const due = calendarPeriod(v.periodKey, input.timeZone).start;
    const offMs = v.startMs - due;
    if (Math.abs(offMs) <= tolerance) return [];
    const off = kind === 'day' ? `${Math.round(offMs / MINUTE_MS)} min` : `${(offMs / DAY_MS).toFixed(2)} days`;
    return [`${subjectOf(v)} ${v.periodKey}: starts ${off} from ${kind === 'day' ? '00:00' : 'the 1st'}`];
  });
  return kind === 'day'
    ? outcome('daily-period-start', `a daily figure's period starts at 00:00 local time, +/- ${RULES.dailyPeriodStart.toleranceMinutes} min`, RULES.dailyPeriodStart, findings, `${values.length} daily value(s) start at 00:00`)
    : outcome('monthly-period-start', `a monthly figure's period starts on the 1st, +/- ${RULES.monthlyPeriodStart.toleranceDays} day`, RULES.monthlyPeriodStart, findings, `${values.length} monthly value(s) start on the 1st`);
}

function requiredIndicators(input: ScorecardInput): RuleOutcome {
  const present = new Set(input.indicators.map((v) => `${subjectOf(v)}|${v.periodKey}`));
  const days = subPeriods(calendarPeriod(input.month, input.timeZone), 'day').map((d) => d.key);
  const findings: string[] = [];
  const need = (subject: string, keys: readonly string[]): void => {
    const missing = keys.filter((k) => !present.has(`${subject}|${k}`));
    if (missing.length === 0) return;
    findings.push(missing.length === 1 ? `${subject} ${missing[0]} is missing` : `${subject}: ${missing.length} periods missing (${missing.slice(0, 3).join(', ')}${missing.length > 3 ? ', …' : ''})`);
  };
  for (const indicator of DAILY_INDICATORS) need(indicator, [input.month, ...days]);
  for (const product of input.products) {
    need(subjectOf({ indicator: 'output', product }), [input.month]);
    need(subjectOf({ indicator: 'unit-product-energy', product }), [input.month]);
  }
  need('output-value', [input.month]);
  need('value-added', [input.month]);
  return outcome(
    'required-indicators',
    'comprehensive, primary and secondary energy consumption per day and month; output and unit-product energy consumption per product; industrial output value and value added per month',
    RULES.requiredIndicators,
    findings,
    `all present for ${days.length} days and the month`,
  );
}

/** Judges one enterprise's month against every rule; each outcome cites its source. */
export function scoreMonth(input: ScorecardInput): Scorecard {
  const outcomes = [completeness(input), consistency(input), periodStarts(input, 'day'), periodStarts(input, 'month'), requiredIndicators(input)];
  return {
    enterpriseId: input.enterpriseId,
    month: input.month,
    rules: `${rulesData.id}@${rulesData.version}`,
    passed: outcomes.every((o) => o.passed),
    outcomes,
  };
}
