import type { SeriesPoint, TimeSeriesStore } from '@meterline/store';
import { lacking, missingFields, readRows, unreadable, type OnUnreadable, type RowRead, type StoredRow } from './row-read.ts';

/**
 * A region's progress on one of its dual-control targets as of a month: what the regulator is
 * held to. Not a figure (figures belong to one enterprise): the sum of the region's enterprises,
 * recomputed by the aggregator whenever one of them publishes a month. One point per (region,
 * metric, basis) and month at the month's start, so a recomputation overwrites itself.
 */
export const REGION_TARGET_PROGRESS = Object.freeze({
  measurement: 'region_target_progress',
  tags: Object.freeze({ region: 'region', metric: 'metric', basis: 'basis' }),
  fields: Object.freeze({
    /** The month (local YYYY-MM) the progress is as of, and the target's year. */
    asOf: 'as_of',
    year: 'year',
    targetId: 'target_id',
    /** The ceiling, in `unit`. */
    ceiling: 'ceiling',
    unit: 'unit',
    /** To date (a total's sum, or an intensity's year-to-date ratio) and its U (k = 2), in `unit`. */
    toDate: 'to_date',
    toDateExpandedU: 'to_date_u',
    /** Projected to the year's end, and its U (k = 2), in `unit`. */
    projection: 'projection',
    projectionExpandedU: 'projection_u',
    months: 'months',
    /** `previous-year` or `uniform`: the seasonal profile the projection used. */
    profile: 'profile',
    /** on-track, at-risk, exceeded, no-data; and the rule that gave it, in words. */
    status: 'status',
    statusRule: 'status_rule',
    /** The enterprises counted, and those of the region whose months were missing (comma-separated ids). */
    enterprises: 'enterprises',
    missing: 'missing',
    computedAt: 'computed_at',
  }),
});

const { tags: T, fields: F } = REGION_TARGET_PROGRESS;

export interface RegionTargetProgress {
  region: string;
  metric: string;
  basis?: string;
  /** The start of the month it is as of (the point's timestamp). */
  monthStartMs: number;
  asOf: string;
  year: number;
  targetId: string;
  ceiling: number;
  unit: string;
  toDate: number;
  toDateExpandedU: number;
  projection: number;
  projectionExpandedU: number;
  months: number;
  profile: string;
  status: string;
  statusRule: string;
  enterprises: string[];
  missing: string[];
  computedAt: string;
}

const list = (ids: readonly string[]) => [...ids].sort().join(',');
const unlist = (text: string) => (text === '' ? [] : text.split(','));

export function regionTargetProgressPoint(p: RegionTargetProgress): SeriesPoint {
  return {
    measurement: REGION_TARGET_PROGRESS.measurement,
    tags: { [T.region]: p.region, [T.metric]: p.metric, ...(p.basis === undefined ? {} : { [T.basis]: p.basis }) },
    timestampMs: p.monthStartMs,
    fields: {
      [F.asOf]: p.asOf,
      [F.year]: p.year,
      [F.targetId]: p.targetId,
      [F.ceiling]: p.ceiling,
      [F.unit]: p.unit,
      [F.toDate]: p.toDate,
      [F.toDateExpandedU]: p.toDateExpandedU,
      [F.projection]: p.projection,
      [F.projectionExpandedU]: p.projectionExpandedU,
      [F.months]: p.months,
      [F.profile]: p.profile,
      [F.status]: p.status,
      [F.statusRule]: p.statusRule,
      [F.enterprises]: list(p.enterprises),
      [F.missing]: list(p.missing),
      [F.computedAt]: p.computedAt,
    },
  };
}

const NUMBERS = [F.year, F.ceiling, F.toDate, F.toDateExpandedU, F.projection, F.projectionExpandedU, F.months];
const TEXTS = [F.asOf, F.targetId, F.unit, F.profile, F.status, F.statusRule, F.enterprises, F.missing, F.computedAt];

export function regionTargetProgressOf(row: StoredRow): RowRead<RegionTargetProgress> {
  const f = row.fields;
  const missing = missingFields(f, { number: NUMBERS, text: TEXTS });
  if (missing.length > 0) return unreadable(lacking(missing));
  const { [T.region]: region, [T.metric]: metric, [T.basis]: basis } = row.tags;
  if (region === undefined || metric === undefined) return unreadable(`lacks its \`${T.region}\` or \`${T.metric}\` tag`);
  const n = (k: string) => f[k] as number;
  const s = (k: string) => f[k] as string;
  return {
    ok: true,
    value: {
      region,
      metric,
      ...(basis === undefined || basis === '' ? {} : { basis }),
      monthStartMs: row.timestampMs,
      asOf: s(F.asOf),
      year: n(F.year),
      targetId: s(F.targetId),
      ceiling: n(F.ceiling),
      unit: s(F.unit),
      toDate: n(F.toDate),
      toDateExpandedU: n(F.toDateExpandedU),
      projection: n(F.projection),
      projectionExpandedU: n(F.projectionExpandedU),
      months: n(F.months),
      profile: s(F.profile),
      status: s(F.status),
      statusRule: s(F.statusRule),
      enterprises: unlist(s(F.enterprises)),
      missing: unlist(s(F.missing)),
      computedAt: s(F.computedAt),
    },
  };
}

export const writeRegionTargetProgress = (store: TimeSeriesStore, progress: readonly RegionTargetProgress[]): Promise<void> =>
  progress.length === 0 ? Promise.resolve() : store.write(progress.map(regionTargetProgressPoint));

/** A region's progress points with a month start in [fromMs, toMs), every metric; rows that do not read go to `onUnreadable`. */
export async function readRegionTargetProgress(store: TimeSeriesStore, region: string, fromMs: number, toMs: number, onUnreadable: OnUnreadable): Promise<RegionTargetProgress[]> {
  const rows = await store.readSeries({ measurement: REGION_TARGET_PROGRESS.measurement, tags: { [T.region]: region }, fromMs, toMs });
  return readRows(REGION_TARGET_PROGRESS.measurement, rows, regionTargetProgressOf, onUnreadable);
}
