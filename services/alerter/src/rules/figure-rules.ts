import { FIGURE_KINDS, type FigureV1 } from '@meterline/contracts';
import type { PeriodKind } from '@meterline/domain';
import { FIGURE_DETAIL_FIELDS } from '@meterline/series';
import type { EnterpriseRules, ThresholdSetting } from '../alerting-config.ts';
import { baselineDeviationConditions } from './baseline-deviation.ts';
import type { Condition } from './condition.ts';
import { fabricationSuspectedConditions } from './fabrication-suspected.ts';
import { limitExceededConditions } from './limit-exceeded.ts';
import { targetAtRiskConditions } from './target-at-risk.ts';

const SUSPECT_FLAGS = new Set(['suspect-drop', 'suspect-over-capacity']);
const HOUR_MS = 3_600_000;

/** The regulator's scorecard judges months. */
export const QUALITY_RULE_PERIOD = 'month' satisfies PeriodKind;

/**
 * The rules judged on each published figure: a point's coverage and suspect counter, its
 * consumption against the enterprise's thresholds, a topology node's balance gap against the
 * uncertainty of the meters that measure it, each rule of the regulator's scorecard of a month,
 * a dual-control target's progress, a product's compliance with its limit standard, a day
 * against a declared energy baseline and a fabrication detector's finding on a point's month.
 */
export function figureConditions(figure: FigureV1, rules: EnterpriseRules): Condition[] {
  if (figure.measurement === FIGURE_KINDS.consumption) return pointConditions(figure, rules);
  if (figure.measurement === FIGURE_KINDS.energyBalance) return balanceConditions(figure, rules);
  if (figure.measurement === FIGURE_KINDS.qualityRule) return qualityRuleConditions(figure, rules);
  if (figure.measurement === FIGURE_KINDS.targetProgress) return targetAtRiskConditions(figure, rules.targetAtRisk);
  if (figure.measurement === FIGURE_KINDS.limitCompliance) return limitExceededConditions(figure, rules.limitExceeded);
  if (figure.measurement === FIGURE_KINDS.baselineDeviation) return baselineDeviationConditions(figure, rules.baselineDeviation);
  if (figure.measurement === FIGURE_KINDS.fabricationFinding) return fabricationSuspectedConditions(figure, rules.fabricationSuspected);
  return [];
}

/**
 * A scorecard rule (the regulator's upload data-quality rules, judged per enterprise and month by
 * the aggregator) holds as an alert while its latest month fails: one alert per rule, opened by a
 * failing month and closed by the next month that passes. Value: the rule's findings (subjects
 * failing it), against none allowed.
 */
function qualityRuleConditions(figure: FigureV1, rules: EnterpriseRules): Condition[] {
  const { rule } = figure.subject;
  if (!rules.qualityRule.enabled || figure.periodKind !== QUALITY_RULE_PERIOD || !rule) return [];
  const failed = figure.value === 0;
  const summary = figure.detail[FIGURE_DETAIL_FIELDS.ruleSummary];
  const findings = figure.detail[FIGURE_DETAIL_FIELDS.ruleFindings];
  return [
    {
      rule: 'quality-rule-failed',
      subject: { rule },
      holds: failed,
      sinceMs: figure.startMs,
      asOfMs: figure.endMs,
      summary: `scorecard rule ${rule} ${failed ? 'failed' : 'passed'} in ${figure.periodKey}${typeof summary === 'string' ? `: ${summary}` : ''}`,
      value: typeof findings === 'number' ? findings : failed ? 1 : 0,
      threshold: 0,
      unit: 'findings',
    },
  ];
}

function pointConditions(figure: FigureV1, rules: EnterpriseRules): Condition[] {
  const { site, point, carrier } = figure.subject;
  if (!site || !point) return [];
  const subject = { site, point };
  const at = { sinceMs: figure.startMs, asOfMs: figure.endMs };
  const period = `${figure.periodKind} ${figure.periodKey}`;
  const out: Condition[] = [];
  if (rules.lowCoverage.enabled && figure.periodKind === rules.lowCoverage.period) {
    out.push({
      rule: 'low-coverage',
      subject,
      holds: figure.coveragePercent < rules.lowCoverage.minPercent,
      ...at,
      summary: `${point}: readings cover ${figure.coveragePercent}% of ${period} (limit ${rules.lowCoverage.minPercent}%)`,
      value: figure.coveragePercent,
      threshold: rules.lowCoverage.minPercent,
      unit: '%',
    });
  }
  if (rules.suspectCounter.enabled && figure.periodKind === rules.suspectCounter.period) {
    const suspect = figure.flags.filter((f) => SUSPECT_FLAGS.has(f));
    out.push({
      rule: 'suspect-counter',
      subject,
      holds: suspect.length > 0,
      ...at,
      summary: suspect.length > 0 ? `${point}: ${suspect.join(', ')} in ${period}; the interval is not booked` : `${point}: register consistent in ${period}`,
    });
  }
  if (rules.consumptionThreshold.enabled) {
    for (const threshold of rules.consumptionThreshold.thresholds) {
      if (!applies(threshold, figure, point, carrier)) continue;
      const hours = (figure.endMs - figure.startMs) / HOUR_MS;
      const measured = threshold.measure === 'energy' ? figure.value : figure.value / hours;
      const unit = threshold.measure === 'energy' ? figure.unit : `${figure.unit}/h`;
      out.push({
        rule: 'consumption-threshold',
        subject: { ...subject, period: figure.periodKind, measure: threshold.measure },
        holds: measured > threshold.max,
        ...at,
        summary: `${point}: ${threshold.measure} ${round(measured)} ${unit} in ${period} (limit ${threshold.max} ${unit})`,
        value: round(measured),
        threshold: threshold.max,
        unit,
      });
    }
  }
  return out;
}

function applies(threshold: ThresholdSetting, figure: FigureV1, point: string, carrier: string | undefined): boolean {
  if (threshold.period !== figure.periodKind) return false;
  if (threshold.points && !threshold.points.includes(point)) return false;
  return threshold.carrier === undefined || threshold.carrier === carrier;
}

function balanceConditions(figure: FigureV1, rules: EnterpriseRules): Condition[] {
  const settings = rules.balanceGap;
  const { site, node, carrier } = figure.subject;
  if (!settings.enabled || figure.periodKind !== settings.period || !site || !node) return [];
  const limit = settings.uncertaintyMultiple * figure.expandedUncertainty;
  const holds = Math.abs(figure.value) > limit;
  return [
    {
      rule: 'balance-gap',
      subject: { site, node, ...(carrier ? { carrier } : {}) },
      holds,
      sinceMs: figure.startMs,
      asOfMs: figure.endMs,
      summary: `${node}: balance gap ${round(figure.value)} ${figure.unit} in ${figure.periodKind} ${figure.periodKey}, ${holds ? 'beyond' : 'within'} what its meters explain (U = ${round(figure.expandedUncertainty)} ${figure.unit}, k = 2)`,
      value: round(Math.abs(figure.value)),
      threshold: round(limit),
      unit: figure.unit,
    },
  ];
}

const round = (x: number) => Math.round(x * 1000) / 1000;
