import { FIGURE_KINDS, type FigureV1 } from '@meterline/contracts';
import type { EnergyBaseline, Period } from '@meterline/domain';
import type { DailyBaseline } from '@meterline/mining';
import { FIGURE_DETAIL_FIELDS as D, FIGURE_TAGS as T } from '@meterline/series';

/**
 * What a deviation is judged against: the declaration, so a changed period, variables or
 * product restates the days (variables `auto`: those the baseline's days have).
 */
const declarationOf = (baseline: EnergyBaseline): string =>
  [`${baseline.id}@${baseline.period}`, `variables=${baseline.variables?.join(',') ?? 'auto'}`, ...(baseline.product === undefined ? [] : [`product=${baseline.product}`])].join(' ');

/** Where the prediction interval leaves the day's actual. */
const OUTSIDE = { above: 'above', below: 'below', inside: 'inside' } as const;

export interface DeviationContext {
  enterpriseId: string;
  baseline: EnergyBaseline;
  /** The subject's unit: tce for the enterprise's standard coal, else the point's. */
  unit: string;
  registryVersion: string;
  factorSet: string;
  /** The days to publish (days the fit did not judge are left out). */
  days: readonly Period[];
  /** Each day's figure as read: its U (k = 2) and coverage, by local date; a day not in it gets U 0 and coverage 100. */
  measures: ReadonlyMap<string, { expandedU: number; coveragePercent: number }>;
}

/**
 * One baseline_deviation figure per day of `ctx.days` the fit judged (ISO 50006: the day's
 * actual against the energy baseline's expectation): value actual − expected, the prediction
 * interval, the CUSUM from the start of reporting and the lasting change it finds by that day
 * (its level, and the direction while the level is beyond the allowance). The verdict is where
 * the actual lies against the interval, so a day that moves out of it (or back) is restated even
 * when its deviation hardly moved.
 */
export function deviationRows(fit: DailyBaseline, ctx: DeviationContext): FigureV1[] {
  const band = new Map(fit.band.map((d) => [d.date, d]));
  const cusumAt = new Map(fit.anomalies.cusum.dates.map((date, i) => [date, i]));
  const { cusum } = fit.anomalies;
  const signalOf = (level: number) => (level > cusum.allowance ? 'up' : level < -cusum.allowance ? 'down' : '');
  const began = lastingChangeStarts(cusum.changePoints, signalOf);
  const against = declarationOf(ctx.baseline);
  const rows: FigureV1[] = [];
  for (const day of ctx.days) {
    const judged = band.get(day.key);
    const i = cusumAt.get(day.key);
    if (!judged || i === undefined) continue;
    const outside = judged.actual > judged.high ? OUTSIDE.above : judged.actual < judged.low ? OUTSIDE.below : OUTSIDE.inside;
    // A lasting change while the level the CUSUM monitors around is beyond its allowance: a return after a fall is no rise.
    const level = cusum.level[i]!;
    const signal = signalOf(level);
    const since = signal === '' ? undefined : began.filter((c) => c.signalDate <= day.key).at(-1)?.since;
    const measure = ctx.measures.get(day.key);
    const deviation = judged.actual - judged.predicted;
    rows.push({
      measurement: FIGURE_KINDS.baselineDeviation,
      enterpriseId: ctx.enterpriseId,
      subject: { [T.baseline]: ctx.baseline.id, ...(ctx.baseline.site === undefined ? {} : { [T.site]: ctx.baseline.site }), ...(ctx.baseline.point === undefined ? {} : { [T.point]: ctx.baseline.point }) },
      periodKind: day.kind,
      periodKey: day.key,
      startMs: day.start,
      endMs: day.end,
      value: deviation === 0 ? 0 : deviation,
      unit: ctx.unit,
      // The day's metered U; the model's own uncertainty is the prediction interval in the detail.
      expandedUncertainty: measure?.expandedU ?? 0,
      coveragePercent: measure?.coveragePercent ?? 100,
      estimated: 0,
      flags: [],
      factorSet: ctx.factorSet,
      registryVersion: ctx.registryVersion,
      revision: 0,
      detail: {
        [D.expected]: judged.predicted,
        [D.predictionLow]: judged.low,
        [D.predictionHigh]: judged.high,
        [D.outside]: outside,
        [D.cumulativeDeviation]: cusum.cumulative[i]!,
        [D.cusumUpper]: cusum.upper[i]!,
        [D.cusumLower]: cusum.lower[i]!,
        [D.changeLevel]: level,
        [D.changeSignal]: signal,
        [D.changeSince]: since ?? '',
        [D.fitPassed]: fit.model.verdict.passed,
        // Not finite for a subject that used nothing over the baseline (a mean of 0): left out, as a store cannot hold it.
        ...(Number.isFinite(fit.model.statistics.cvRmsePercent) ? { [D.cvRmse]: fit.model.statistics.cvRmsePercent } : {}),
        [D.verdict]: outside,
        [D.judgedAgainst]: against,
      },
    });
  }
  return rows;
}

/**
 * For each change point, the day the lasting change it belongs to began: the start of the change
 * point that took the level beyond the allowance in its direction. A rise that is a share of a
 * load differing by kind of day is refined by later change points of the same sign, which do not
 * move that day.
 */
function lastingChangeStarts(changes: DailyBaseline['anomalies']['cusum']['changePoints'], signalOf: (level: number) => string): { signalDate: string; since: string | undefined }[] {
  let level = 0;
  let signal = '';
  let since: string | undefined;
  return changes.map((c) => {
    // Summed in the CUSUM's own order, so the level equals its per-day level exactly.
    level += c.shift;
    const now = signalOf(level);
    if (now !== signal) [signal, since] = [now, now === '' ? undefined : c.startDate];
    return { signalDate: c.signalDate, since };
  });
}
