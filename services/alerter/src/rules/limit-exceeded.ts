import type { FigureV1 } from '@meterline/contracts';
import type { LimitVerdict, PeriodKind } from '@meterline/domain';
import { COMPLIANCE_SPANS, FIGURE_DETAIL_FIELDS as D } from '@meterline/series';
import type { EnterpriseRules } from '../alerting-config.ts';
import type { Condition } from './condition.ts';

/** The aggregator judges compliance as of each month (the month alone, and the year to date). */
export const LIMIT_COMPLIANCE_PERIOD = 'month' satisfies PeriodKind;

const HOLDING = 'clearly-above' satisfies LimitVerdict;

/**
 * Why a verdict other than clearly-above does not hold the alert, said in the finding's summary
 * (a verdict the figure's uncertainty cannot settle must not be announced as a breach).
 */
const NOT_HOLDING: Readonly<Record<Exclude<LimitVerdict, typeof HOLDING>, string>> = {
  'clearly-below': 'at or below the binding value even at the upper end of its uncertainty',
  undecidable: 'not decidable at the data’s quality: the binding value lies within the expanded uncertainty',
  unconfirmed: 'not judged: the binding value is not confirmed from the standard’s text',
  'not-applicable': 'not judged: no unit consumption comparable with the standard’s (none for the period, or electricity counted at another value than the standard’s)',
};

/**
 * Mandatory energy-consumption limit standards (GB 16780-2021 for cement, the GB 21xxx and
 * GB 30xxx families) set their limit (existing plant) and access (new plant) values on the
 * unit-product comprehensive energy consumption (GB/T 2589-2020) of a statistical period of a
 * year, not of a month. So the alert is judged on the
 * year-to-date figure only: one alert per (product, standard, site), held while the latest
 * year-to-date verdict of the binding grade is clearly above its value (above even at the lower
 * end of U, k = 2), closed by any other verdict. A single month above is the dashboard's to
 * show, not an alert. Value: the unit consumption; threshold: the binding grade's value.
 */
export function limitExceededConditions(figure: FigureV1, rules: EnterpriseRules['limitExceeded']): Condition[] {
  const { product, standard, span, site } = figure.subject;
  const verdict = figure.detail[D.verdict];
  if (!rules.enabled || figure.periodKind !== LIMIT_COMPLIANCE_PERIOD || span !== COMPLIANCE_SPANS.yearToDate || !product || !standard) return [];
  if (typeof verdict !== 'string' || (verdict !== HOLDING && !Object.hasOwn(NOT_HOLDING, verdict))) return [];
  const grade = figure.detail[D.bindingGrade];
  const bindingValue = figure.detail[grade === 'access' ? D.accessValue : D.limitValue];
  const holds = verdict === HOLDING;
  return [
    {
      rule: 'limit-exceeded',
      subject: { product, standard, ...(site ? { site } : {}) },
      holds,
      sinceMs: figure.startMs,
      asOfMs: figure.endMs,
      summary: limitSummary(figure, verdict, typeof grade === 'string' ? grade : 'limit', typeof bindingValue === 'number' ? bindingValue : undefined),
      value: round(figure.value),
      ...(typeof bindingValue === 'number' ? { threshold: bindingValue } : {}),
      unit: figure.unit,
    },
  ];
}

/** E.g. "cement-clinker at s1, year to date 2026-05: 121.4 ± 3.2 kgce/t (k = 2) against the limit value 117 kgce/t of GB 16780-2021 4.1: clearly-above". */
function limitSummary(figure: FigureV1, verdict: string, grade: string, bindingValue: number | undefined): string {
  const { product, site } = figure.subject;
  const d = figure.detail;
  const number = typeof d[D.standardNumber] === 'string' ? ` of ${d[D.standardNumber]}${typeof d[D.clause] === 'string' ? ` ${d[D.clause]}` : ''}` : '';
  const against = `the ${grade} value${bindingValue !== undefined ? ` ${bindingValue} ${figure.unit}` : ''}${number}`;
  const why = verdict === HOLDING ? '' : ` (${NOT_HOLDING[verdict as keyof typeof NOT_HOLDING]})`;
  return `${product}${site ? ` at ${site}` : ''}, year to date ${figure.periodKey}: ${round(figure.value)} ± ${round(figure.expandedUncertainty)} ${figure.unit} (k = 2) against ${against}: ${verdict}${why}`;
}

const round = (x: number) => Math.round(x * 1000) / 1000;
