import type { AlertV1 } from '@meterline/contracts';
import type { Enterprise } from '@meterline/domain';
import type { EnterpriseRules } from '../alerting-config.ts';

/**
 * Whether a figure rule still judges an open alert's subject: the rule is on (for a threshold,
 * one still names the point or every point), and the point, topology node or energy baseline is
 * still in the registry (a scorecard rule, a target and a product's limit are the enterprise's, so
 * only whether the rule is on). An alert no longer judged would never see the finding that closes
 * it. Built once per evaluation, asked per open alert.
 */
export function figureRuleScope(enterprise: Enterprise, rules: EnterpriseRules): (alert: AlertV1) => boolean {
  const points = new Set(enterprise.sites.flatMap((s) => s.meteringPoints.map((p) => p.id)));
  const baselines = new Set((enterprise.energyBaselines ?? []).map((b) => b.id));
  return (alert) => stillJudges(alert, { points, baselines }, rules);
}

function stillJudges(alert: AlertV1, registry: { points: ReadonlySet<string>; baselines: ReadonlySet<string> }, rules: EnterpriseRules): boolean {
  const { points, baselines } = registry;
  const { point, node, baseline } = alert.subject;
  switch (alert.rule) {
    case 'low-coverage':
      return rules.lowCoverage.enabled && points.has(point ?? '');
    case 'suspect-counter':
      return rules.suspectCounter.enabled && points.has(point ?? '');
    case 'balance-gap':
      return rules.balanceGap.enabled && points.has(node ?? '');
    case 'quality-rule-failed':
      return rules.qualityRule.enabled;
    case 'target-at-risk':
      return rules.targetAtRisk.enabled;
    case 'limit-exceeded':
      return rules.limitExceeded.enabled;
    case 'baseline-deviation':
      return rules.baselineDeviation.enabled && baselines.has(baseline ?? '');
    case 'fabrication-suspected':
      return rules.fabricationSuspected.enabled && points.has(point ?? '');
    case 'consumption-threshold':
      return (
        rules.consumptionThreshold.enabled &&
        points.has(point ?? '') &&
        rules.consumptionThreshold.thresholds.some((t) => t.period === alert.subject.period && t.measure === alert.subject.measure && (!t.points || t.points.includes(point!)))
      );
    default:
      return true;
  }
}
