import { checkTarget, parseInstant, TARGET_BASES, TARGET_METRICS, TARGET_UNITS, type Target, type TargetBasis, type TargetHolder, type TargetMetric } from '@meterline/domain';
import type { SeriesPoint, TimeSeriesStore } from '@meterline/store';
import { isText, lacking, missingFields, readRows, unreadable, type OnUnreadable, type RowRead, type StoredRow } from './row-read.ts';

/**
 * Dual-control targets, append-only: one point per target at the instant it was entered, in a
 * series of its own (the target id is a tag), so two targets entered in the same millisecond
 * never overwrite each other and writing a target again rewrites itself. A change is another
 * target of the same slot (holder, year, metric, basis); the latest stands (targetHistory),
 * nothing stored is ever changed or deleted.
 *
 * The measurement says what kind of target: `target` alone is too common a word to be a stored
 * name nobody else spells. Year and metric are tags, not fields: readers filter on them (the year's targets of a region),
 * and since every target is its own series already they add no series. Tags are text, so the
 * year is read back as digits and checked.
 */
export const TARGETS = Object.freeze({
  measurement: 'dual_control_target',
  tags: Object.freeze({
    target: 'target',
    /** `region` or `enterprise`: whom the target binds. */
    holder: 'holder',
    /** Region targets only: the ISO 3166-2 subdivision. */
    region: 'region',
    /** Enterprise targets only: the enterprise id. */
    enterprise: 'enterprise',
    year: 'year',
    metric: 'metric',
  }),
  fields: Object.freeze({
    /** Energy metrics only: `equivalent` or `equal-value`. */
    basis: 'basis',
    /** The ceiling for the whole year, in `unit`. */
    value: 'value',
    /** TARGET_UNITS of the metric: tce, tce/10^4 CNY, tCO2, tCO2/10^4 CNY. */
    unit: 'unit',
    document: 'document',
    reason: 'reason',
    enteredBy: 'entered_by',
    /** ISO 8601 with offset, as the point's timestamp too. */
    enteredAt: 'entered_at',
  }),
});

const { tags: T, fields: F } = TARGETS;
const HOLDER_KINDS: ReadonlyArray<TargetHolder['kind']> = ['region', 'enterprise'];
const YEAR_TAG = /^\d{4}$/;

const holderTags = (h: TargetHolder): Record<string, string> =>
  h.kind === 'region' ? { [T.holder]: h.kind, [T.region]: h.region } : { [T.holder]: h.kind, [T.enterprise]: h.enterpriseId };

/** The point of a target; its timestamp is when it was entered (a target whose instant does not parse is refused). */
export function targetPoint(t: Target): SeriesPoint {
  const at = parseInstant(t.enteredAt);
  if (at === undefined) throw new Error(`target ${t.id}: enteredAt "${t.enteredAt}" is not an instant`);
  const fields: SeriesPoint['fields'] = {
    [F.value]: t.value,
    [F.unit]: TARGET_UNITS[t.metric],
    [F.document]: t.document,
    [F.enteredBy]: t.enteredBy,
    [F.enteredAt]: t.enteredAt,
  };
  if (t.basis !== undefined) fields[F.basis] = t.basis;
  if (t.reason !== undefined) fields[F.reason] = t.reason;
  return { measurement: TARGETS.measurement, tags: { [T.target]: t.id, ...holderTags(t.holder), [T.year]: String(t.year), [T.metric]: t.metric }, fields, timestampMs: at };
}

function holderOf(tags: Record<string, string>): RowRead<TargetHolder> {
  const kind = tags[T.holder];
  if (kind === 'region') {
    const region = tags[T.region];
    return region === undefined ? unreadable(`a region target lacks its \`${T.region}\` tag`) : { ok: true, value: { kind, region } };
  }
  if (kind === 'enterprise') {
    const enterpriseId = tags[T.enterprise];
    return enterpriseId === undefined ? unreadable(`an enterprise target lacks its \`${T.enterprise}\` tag`) : { ok: true, value: { kind, enterpriseId } };
  }
  return unreadable(`its \`${T.holder}\` tag is ${JSON.stringify(kind)}, not one of ${HOLDER_KINDS.join(', ')}`);
}

/** The target a stored row holds, or why it holds none: a row the domain would not accept as a target is none either. */
export function targetOf(row: StoredRow): RowRead<Target> {
  const f = row.fields;
  const missing = missingFields(f, { text: [F.unit, F.document, F.enteredBy, F.enteredAt], number: [F.value] });
  if (missing.length > 0) return unreadable(lacking(missing));
  const { [T.target]: id, [T.year]: year, [T.metric]: metric } = row.tags;
  if (id === undefined) return unreadable(`lacks its \`${T.target}\` tag`);
  const holder = holderOf(row.tags);
  if (!holder.ok) return holder;
  if (year === undefined || !YEAR_TAG.test(year)) return unreadable(`its \`${T.year}\` tag is ${JSON.stringify(year)}, not a year`);
  if (!(TARGET_METRICS as readonly unknown[]).includes(metric)) return unreadable(`its \`${T.metric}\` tag is ${JSON.stringify(metric)}, not one of ${TARGET_METRICS.join(', ')}`);
  const unit = f[F.unit];
  const expected = TARGET_UNITS[metric as TargetMetric];
  if (unit !== expected) return unreadable(`its \`${F.unit}\` is ${JSON.stringify(unit)}, not ${expected}, the unit of ${metric as string} targets`);
  const basis = f[F.basis];
  if (basis !== undefined && !(TARGET_BASES as readonly unknown[]).includes(basis)) return unreadable(`its \`${F.basis}\` is ${JSON.stringify(basis)}, not one of ${TARGET_BASES.join(', ')}`);
  const reason = f[F.reason];
  if (reason !== undefined && !isText(reason)) return unreadable(`its \`${F.reason}\` is not text`);
  const target: Target = {
    id,
    holder: holder.value,
    year: Number(year),
    metric: metric as TargetMetric,
    value: f[F.value] as number,
    document: f[F.document] as string,
    enteredBy: f[F.enteredBy] as string,
    enteredAt: f[F.enteredAt] as string,
  };
  if (basis !== undefined) target.basis = basis as TargetBasis;
  if (reason !== undefined) target.reason = reason;
  const issues = checkTarget(target, []);
  if (issues.length > 0) return unreadable(`is no valid target: ${issues.map((i) => `${i.field}: ${i.message}`).join('; ')}`);
  return { ok: true, value: target };
}

/** Which targets a read wants: those of a region (region targets), of an enterprise (its own targets), of a year; none given: all. */
export interface TargetFilter {
  region?: string;
  enterpriseId?: string;
  year?: number;
}

/** Before and after every instant a target can have been entered (InfluxDB's time range). */
const ALL_TIME = { fromMs: Date.UTC(1970, 0, 1), toMs: Date.UTC(2200, 0, 1) };

/**
 * The targets the filter names, superseded ones included, oldest first (entry time, then id),
 * as targetHistory orders them. `region` reads the region's own targets, not its enterprises'
 * (an enterprise target names no region: the registry says where an enterprise is); the
 * members of the filter all apply, so a region and an enterprise together match nothing.
 */
export async function readTargets(store: TimeSeriesStore, filter: TargetFilter, onUnreadable: OnUnreadable): Promise<Target[]> {
  const tags: Record<string, string> = {};
  if (filter.region !== undefined) tags[T.region] = filter.region;
  if (filter.enterpriseId !== undefined) tags[T.enterprise] = filter.enterpriseId;
  if (filter.year !== undefined) tags[T.year] = String(filter.year);
  const rows = await store.readSeries({ measurement: TARGETS.measurement, tags, ...ALL_TIME });
  return readRows(TARGETS.measurement, rows, targetOf, onUnreadable).sort(
    (a, b) => (parseInstant(a.enteredAt) ?? 0) - (parseInstant(b.enteredAt) ?? 0) || a.id.localeCompare(b.id),
  );
}

/** Appends targets; each rewrites only itself if written again. */
export async function writeTargets(store: Pick<TimeSeriesStore, 'write'>, targets: readonly Target[]): Promise<void> {
  if (targets.length > 0) await store.write(targets.map(targetPoint));
}
