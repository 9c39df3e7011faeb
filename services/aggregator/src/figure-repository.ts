import { FIGURE_MEASUREMENTS, type FigureV1, type RestatementV1 } from '@meterline/contracts';
import type { PeriodKind, TimeRange } from '@meterline/domain';
import type { SeriesPoint, TimeSeriesStore } from '@meterline/store';
import { fromSeriesPoint, publishedFigureOf, PUBLISHED_FIELDS, subjectText, toSeriesPoint, type PublishedFigure } from './figure-series.ts';

/** Restatements are kept in the store too, one point per figure revision, so they can be queried. */
export const RESTATEMENT_MEASUREMENT = 'restatement';

async function readStored<T>(
  store: TimeSeriesStore,
  enterpriseId: string,
  range: TimeRange,
  kinds: readonly PeriodKind[],
  fields: string[] | undefined,
  parse: (point: SeriesPoint) => T | string,
): Promise<T[]> {
  const wanted = new Set<string>(kinds);
  const tags: Record<string, string> = kinds.length === 1 ? { enterprise: enterpriseId, period: kinds[0]! } : { enterprise: enterpriseId };
  const figures: T[] = [];
  for (const measurement of Object.values(FIGURE_MEASUREMENTS)) {
    const points = await store.readSeries({ measurement, tags, fromMs: range.start, toMs: range.end, ...(fields ? { fields } : {}) });
    for (const point of points) {
      if (!wanted.has(point.tags['period'] ?? '')) continue;
      const figure = parse(point);
      // Only the aggregator writes these measurements; anything else there is a bug to see, not to skip.
      if (typeof figure === 'string') throw new Error(`stored figure unreadable: ${figure}`);
      figures.push(figure);
    }
  }
  return figures;
}

/** What an enterprise has published with a start in `range`, of the given period kinds: the comparison's side. */
export const readPublished = (store: TimeSeriesStore, enterpriseId: string, range: TimeRange, kinds: readonly PeriodKind[]): Promise<PublishedFigure[]> =>
  readStored(store, enterpriseId, range, kinds, PUBLISHED_FIELDS, publishedFigureOf);

/** The whole published figures, every field: what a reader of the store gets. */
export const readFigures = (store: TimeSeriesStore, enterpriseId: string, range: TimeRange, kinds: readonly PeriodKind[]): Promise<FigureV1[]> =>
  readStored(store, enterpriseId, range, kinds, undefined, fromSeriesPoint);

function restatementPoint(r: RestatementV1): SeriesPoint {
  const subject = subjectText(r.subject);
  return {
    measurement: RESTATEMENT_MEASUREMENT,
    tags: { enterprise: r.enterpriseId, figure: r.measurement, period: r.periodKind, subject, revision: String(r.new.revision) },
    timestampMs: r.startMs,
    fields: {
      restatement_id: r.restatementId,
      period_key: r.periodKey,
      unit: r.unit,
      old_value: r.old.value,
      new_value: r.new.value,
      old_u: r.old.expandedUncertainty,
      new_u: r.new.expandedUncertainty,
      old_coverage: r.old.coveragePercent,
      new_coverage: r.new.coveragePercent,
      old_flags: r.old.flags.join(','),
      new_flags: r.new.flags.join(','),
      reason: r.reason,
      detail: r.detail,
      restated_at: r.restatedAt,
    },
  };
}

/**
 * Writes figures and their restatement records. Requests are cut at period boundaries, so
 * a request holds whole periods (unless one period alone exceeds the chunk size).
 */
export async function writeFigures(store: TimeSeriesStore, figures: readonly FigureV1[], restatements: readonly RestatementV1[], chunkPoints: number): Promise<void> {
  const byPeriod = new Map<string, SeriesPoint[]>();
  for (const f of figures) {
    const key = `${f.periodKind}|${f.startMs}`;
    let list = byPeriod.get(key);
    if (!list) byPeriod.set(key, (list = []));
    list.push(toSeriesPoint(f));
  }
  let chunk: SeriesPoint[] = restatements.map(restatementPoint);
  for (const points of byPeriod.values()) {
    if (chunk.length > 0 && chunk.length + points.length > chunkPoints) {
      await store.write(chunk);
      chunk = [];
    }
    chunk.push(...points);
  }
  if (chunk.length > 0) await store.write(chunk);
}
