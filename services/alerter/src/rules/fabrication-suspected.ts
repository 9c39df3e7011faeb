import type { FigureV1 } from '@meterline/contracts';
import type { PeriodKind } from '@meterline/domain';
import { FIGURE_DETAIL_FIELDS as D } from '@meterline/series';
import type { EnterpriseRules } from '../alerting-config.ts';
import type { Condition } from './condition.ts';

/** The fabrication detectors judge a metered point's month. */
export const FABRICATION_FINDING_PERIOD = 'month' satisfies PeriodKind;

/**
 * One fabrication detector's judgement of one metered point's month (issue 20): one alert per
 * (point, detector), held while its latest month's finding is 1 (signs of fabricated or
 * tampered data), closed by a later month it finds clean (0). Summary: the detector's finding in
 * one sentence; the evidence stays on the figure.
 */
export function fabricationSuspectedConditions(figure: FigureV1, rules: EnterpriseRules['fabricationSuspected']): Condition[] {
  const { point, detector } = figure.subject;
  if (!rules.enabled || figure.periodKind !== FABRICATION_FINDING_PERIOD || !point || !detector) return [];
  // Anything but 1 or 0 is no finding either way.
  if (figure.value !== 1 && figure.value !== 0) return [];
  const holds = figure.value === 1;
  const summary = figure.detail[D.findingSummary];
  return [
    {
      rule: 'fabrication-suspected',
      subject: { point, detector },
      holds,
      sinceMs: figure.startMs,
      asOfMs: figure.endMs,
      summary:
        typeof summary === 'string' && summary !== ''
          ? summary
          : `${point}: the ${detector} detector ${holds ? 'found signs of fabricated or tampered data' : 'found nothing'} in ${figure.periodKey}`,
      value: figure.value,
      unit: figure.unit,
    },
  ];
}
