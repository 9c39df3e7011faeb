import { expect, it } from 'vitest';
import type { AlertV1 } from '@meterline/contracts';
import type { Enterprise } from '@meterline/domain';
import { fleetManifest } from '@meterline/simulator';
import { DEFAULT_RULES, type EnterpriseRules } from '../../src/alerting-config.ts';
import { figureRuleScope } from '../../src/rules/figure-rule-scope.ts';

const enterprise: Enterprise = {
  ...fleetManifest({ enterprises: 1, devicesPerEnterprise: 1, pointsPerDevice: 2, prefix: 'sc' }).enterprises[0]!,
  energyBaselines: [{ id: 'enb-2025', period: '2025-01-01..2025-12-31' }],
};
const POINT = enterprise.sites[0]!.meteringPoints[0]!.id;

const alert = (rule: AlertV1['rule'], subject: Record<string, string>): AlertV1 => ({
  alertId: 'a1',
  dedupKey: `e/${rule}`,
  enterpriseId: enterprise.id,
  rule,
  severity: 'warning',
  subject,
  status: 'firing',
  startsAt: '2026-03-14T00:00:00.000Z',
  summary: '',
});

const judges = (a: AlertV1, over: Partial<Enterprise> = {}, rules: EnterpriseRules = DEFAULT_RULES) => figureRuleScope({ ...enterprise, ...over }, rules)(a);

it('keeps judging a baseline alert while its baseline is declared and the rule is on', () => {
  const open = alert('baseline-deviation', { baseline: 'enb-2025' });
  expect(judges(open)).toBe(true);
  expect(judges(open, { energyBaselines: [] })).toBe(false);
  expect(judges(open, { energyBaselines: undefined })).toBe(false);
  expect(judges(open, {}, { ...DEFAULT_RULES, baselineDeviation: { ...DEFAULT_RULES.baselineDeviation, enabled: false } })).toBe(false);
});

it('keeps judging a fabrication alert while its point is in the registry and the rule is on', () => {
  const open = alert('fabrication-suspected', { point: POINT, detector: 'copied-day' });
  expect(judges(open)).toBe(true);
  expect(judges(alert('fabrication-suspected', { point: 'gone', detector: 'copied-day' }))).toBe(false);
  expect(judges(open, {}, { ...DEFAULT_RULES, fabricationSuspected: { ...DEFAULT_RULES.fabricationSuspected, enabled: false } })).toBe(false);
});
