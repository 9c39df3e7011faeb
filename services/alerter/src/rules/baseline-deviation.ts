import type { FigureV1 } from '@meterline/contracts';
import type { PeriodKind } from '@meterline/domain';
import { FIGURE_DETAIL_FIELDS as D, FIGURE_TAGS as T } from '@meterline/series';
import { BASELINE_DIRECTIONS, type BaselineDirection, type EnterpriseRules } from '../alerting-config.ts';
import type { Condition } from './condition.ts';

/** The aggregator judges each day against the enterprise's declared energy baselines. */
export const BASELINE_DEVIATION_PERIOD = 'day' satisfies PeriodKind;

/** Where the day's actual lies against the prediction interval (`outside`), and the CUSUM's lasting change (`change_signal`). */
const OUTSIDE = new Set(['above', 'below', 'inside']);
const CHANGES = new Set(['up', 'down', '']);
/** The CUSUM's change direction each setting judges. */
const CHANGE_OF: Readonly<Record<BaselineDirection, string>> = { above: 'up', below: 'down' };

/**
 * A day judged against one of the enterprise's declared energy baselines (ISO 50006): one alert
 * per baseline, held while the day's actual is above the model's 95 % prediction interval, or the
 * baseline's CUSUM finds a lasting rise (its level above the allowance: `up`, until a change brings
 * it back). With `directions` [above, below] a day below the interval and a
 * lasting fall hold it too (a fall can mean a meter stopped). A model that fails its fit criteria
 * (ASHRAE Guideline 14) opens nothing and closes an open alert: what it expects is not good enough
 * to call a day above it. Value: the day's actual; threshold: the interval's upper end, in the
 * baseline's unit.
 */
export function baselineDeviationConditions(figure: FigureV1, rules: EnterpriseRules['baselineDeviation']): Condition[] {
  const baseline = figure.subject[T.baseline];
  const d = figure.detail;
  const [expected, low, high, outside, change, fitPassed] = [d[D.expected], d[D.predictionLow], d[D.predictionHigh], d[D.outside], d[D.changeSignal] ?? '', d[D.fitPassed]];
  if (!rules.enabled || figure.periodKind !== BASELINE_DEVIATION_PERIOD || !baseline) return [];
  // A figure that does not say where the day lies is no finding either way.
  if (typeof expected !== 'number' || typeof low !== 'number' || typeof high !== 'number' || typeof fitPassed !== 'boolean') return [];
  if (typeof outside !== 'string' || !OUTSIDE.has(outside) || typeof change !== 'string' || !CHANGES.has(change)) return [];
  const day: JudgedDay = { actual: expected + figure.value, expected, low, high, outside, change };
  const holds = fitPassed && rules.directions.some((direction) => outside === direction || change === CHANGE_OF[direction]);
  return [
    {
      rule: 'baseline-deviation',
      subject: { baseline },
      holds,
      sinceMs: figure.startMs,
      asOfMs: figure.endMs,
      summary: baselineSummary(figure, day, fitPassed, rules.directions),
      value: round(day.actual),
      threshold: round(high),
      unit: figure.unit,
    },
  ];
}

/** What the figure says of its day: the actual against the prediction and its interval, where it lies, the CUSUM's lasting change. */
interface JudgedDay {
  actual: number;
  expected: number;
  low: number;
  high: number;
  outside: string;
  change: string;
}

/**
 * E.g. "enb-2025, 2026-03-14: 12.4 tce against 10.1 expected (95 % interval 9.2–11), above the
 * interval; a lasting rise of 1.3 tce a day since 2026-03-09 (the CUSUM's); 6.9 tce above
 * expected in all since the baseline period".
 */
function baselineSummary(figure: FigureV1, day: JudgedDay, fitPassed: boolean, directions: readonly BaselineDirection[]): string {
  const [baseline, of] = [figure.subject[T.baseline], figure.subject[T.point] ?? figure.subject[T.site]];
  const { outside, change } = day;
  const [since, level, cumulative, cvRmse] = [figure.detail[D.changeSince], figure.detail[D.changeLevel], figure.detail[D.cumulativeDeviation], figure.detail[D.cvRmse]];
  const unit = figure.unit;
  const parts = [
    `${baseline}${of ? ` (${of})` : ''}, ${figure.periodKey}: ${round(day.actual)} ${unit} against ${round(day.expected)} expected (95 % interval ${round(day.low)}–${round(day.high)}), ${outside} the interval`,
  ];
  if (change === 'up' || change === 'down') {
    const perDay = typeof level === 'number' ? ` of ${round(Math.abs(level))} ${unit} a day` : '';
    parts.push(`a lasting ${change === 'up' ? 'rise' : 'fall'}${perDay}${typeof since === 'string' && since !== '' ? ` since ${since}` : ''} (the CUSUM's)`);
  }
  if (typeof cumulative === 'number') parts.push(`${round(Math.abs(cumulative))} ${unit} ${cumulative >= 0 ? 'above' : 'below'} expected in all since the baseline period`);
  if (!fitPassed) parts.push(`not judged: the baseline's model fails its fit criteria${typeof cvRmse === 'number' ? ` (CV(RMSE) ${round(cvRmse)} %)` : ''}`);
  else {
    const unjudged = BASELINE_DIRECTIONS.filter((direction) => !directions.includes(direction) && (outside === direction || change === CHANGE_OF[direction]));
    if (unjudged.length > 0) parts.push(`${unjudged.map((direction) => (direction === 'above' ? 'rises' : 'falls')).join(' and ')} are not judged`);
  }
  return parts.join('; ');
}

const round = (x: number) => Math.round(x * 1000) / 1000;
