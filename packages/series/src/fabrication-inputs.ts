import { FIGURE_KINDS } from '@meterline/contracts';
import { cadenceOf, calendarPeriod, cumulativePoints, parseInstant, type Enterprise } from '@meterline/domain';
import type { FabricationInputs, MeteringPointSeries } from '@meterline/mining';
import type { TimeSeriesStore } from '@meterline/store';
import type { OnUnreadable } from './row-read.ts';
import { FIGURE_TAGS as T, readFigureMeasures } from './figures.ts';
import { readReadings, READINGS_MEASUREMENT } from './readings.ts';

/** Days of each point's own history the detectors compare the month with (the detectors' evaluation used 28). */
export const FABRICATION_HISTORY_DAYS = 28;
const DAY_MS = 86_400_000;
/** A quarter-hour is 15 minutes on every clock, across a DST change too. */
const QUARTER_HOUR_MS = 900_000;

/**
 * What the fabrication detectors read for an enterprise's month, from the store and the
 * registry: each metered point's quarter-hour consumption figures and its readings' instants
 * over the month and the history days before it, its parent in the energy balance, its
 * cadence, when its calibration expired and when it was replaced. Points read by hand
 * (a cadence of a day or a month) have no jitter or profile to judge and are left out.
 */
export async function loadFabricationInputs(store: TimeSeriesStore, enterprise: Enterprise, month: string, onUnreadable: OnUnreadable): Promise<FabricationInputs> {
  const tz = enterprise.timeZone;
  const period = calendarPeriod(month, tz);
  const from = period.start - FABRICATION_HISTORY_DAYS * DAY_MS - DAY_MS;
  const range = { start: from, end: period.end };
  const points = cumulativePoints(enterprise).map(({ point }) => point).filter((p) => cadenceOf(p).kind === 'time');
  const ids = new Set(points.map((p) => p.id));

  // Point by point, and only the numbers the detectors use: a whole figure per quarter-hour of
  // every point over two months would hold gigabytes for an enterprise of a thousand points.
  const increments = new Map<string, MeteringPointSeries['increments'][number][]>();
  const readingTimes = new Map<string, number[]>();
  for (const p of points) {
    const quarters = await readFigureMeasures(
      store,
      { kind: FIGURE_KINDS.consumption, enterpriseId: enterprise.id, periodKind: 'quarter-hour', subject: { [T.point]: p.id }, fromMs: range.start, toMs: range.end },
      onUnreadable,
    );
    increments.set(p.id, quarters.map((q) => ({ start: q.startMs, end: q.startMs + QUARTER_HOUR_MS, value: q.value, expandedUncertainty: q.expandedU })));
    const readings = await readReadings(store, { measurement: READINGS_MEASUREMENT, enterpriseId: enterprise.id, pointIds: [p.id], fromMs: range.start, toMs: range.end, fields: [] }, onUnreadable);
    readingTimes.set(p.id, readings.map((r) => r.tsMs));
  }

  return {
    month,
    timeZone: tz,
    historyDays: FABRICATION_HISTORY_DAYS,
    points: points.map((p): MeteringPointSeries => {
      const cadence = cadenceOf(p);
      const parent = p.topology.parent;
      const replacedAt = (p.replacements ?? []).map((r) => parseInstant(r.at)).filter((ms): ms is number => ms !== undefined);
      return {
        pointId: p.id,
        ...(parent !== undefined && ids.has(parent) ? { parentId: parent } : {}),
        increments: (increments.get(p.id) ?? []).sort((a, b) => a.start - b.start),
        readingTimes: (readingTimes.get(p.id) ?? []).sort((a, b) => a - b),
        cadenceMs: cadence.kind === 'time' ? cadence.ms : 0,
        calibrationExpiresAt: calendarPeriod(p.calibration.validUntil, tz).end,
        ...(replacedAt.length > 0 ? { replacedAt } : {}),
      };
    }),
  };
}
