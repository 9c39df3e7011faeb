import type { RestatementV1 } from '@meterline/contracts';
import type { SeriesPoint } from '@meterline/store';
import { subjectText } from './figures.ts';
import { unreadable, type RowRead } from './row-read.ts';

/** Restatements are kept in the store too, one point per figure revision, so they can be queried. */
export const RESTATEMENT_MEASUREMENT = 'restatement';

/** The series: the restated figure's series, and the revision the restatement made. */
export const RESTATEMENT_TAGS = Object.freeze({
  enterprise: 'enterprise',
  /** The kind of the restated figure (its measurement). */
  figure: 'figure',
  period: 'period',
  /** The figure's subject as `k=v` pairs joined by `;` (subjectText). */
  subject: 'subject',
  revision: 'revision',
} as const);

/** `old_…` and `new_…` are the figure before and after; `…_expanded_u` is U at k = 2 (see FIGURE_FIELDS). */
export const RESTATEMENT_FIELDS = Object.freeze({
  restatementId: 'restatement_id',
  periodKey: 'period_key',
  unit: 'unit',
  oldValue: 'old_value',
  newValue: 'new_value',
  oldExpandedU: 'old_expanded_u',
  newExpandedU: 'new_expanded_u',
  oldCoverage: 'old_coverage',
  newCoverage: 'new_coverage',
  oldFlags: 'old_flags',
  newFlags: 'new_flags',
  reason: 'reason',
  detail: 'detail',
  restatedAt: 'restated_at',
} as const);

const T = RESTATEMENT_TAGS;
const F = RESTATEMENT_FIELDS;

/** One side of a stored restatement. */
interface RestatedState {
  value: number;
  /** Absent only in a row that lacks the field. */
  expandedUncertainty?: number;
  coveragePercent: number;
  flags: string[];
}

/** A restatement as stored: the figure's subject is one text, and only the new revision is kept. */
export interface StoredRestatement {
  restatementId: string;
  enterpriseId: string;
  /** The kind of the restated figure. */
  figure: string;
  periodKind: string;
  periodKey: string;
  startMs: number;
  subject: string;
  revision: number;
  unit: string;
  old: RestatedState;
  new: RestatedState;
  reason: string;
  detail: string;
  restatedAt: string;
}

export function restatementPoint(r: RestatementV1): SeriesPoint {
  return {
    measurement: RESTATEMENT_MEASUREMENT,
    tags: { [T.enterprise]: r.enterpriseId, [T.figure]: r.measurement, [T.period]: r.periodKind, [T.subject]: subjectText(r.subject), [T.revision]: String(r.new.revision) },
    timestampMs: r.startMs,
    fields: {
      [F.restatementId]: r.restatementId,
      [F.periodKey]: r.periodKey,
      [F.unit]: r.unit,
      [F.oldValue]: r.old.value,
      [F.newValue]: r.new.value,
      [F.oldExpandedU]: r.old.expandedUncertainty,
      [F.newExpandedU]: r.new.expandedUncertainty,
      [F.oldCoverage]: r.old.coveragePercent,
      [F.newCoverage]: r.new.coveragePercent,
      [F.oldFlags]: r.old.flags.join(','),
      [F.newFlags]: r.new.flags.join(','),
      [F.reason]: r.reason,
      [F.detail]: r.detail,
      [F.restatedAt]: r.restatedAt,
    },
  };
}

const num = (f: SeriesPoint['fields'], k: string) => (typeof f[k] === 'number' ? f[k] : undefined);
const str = (f: SeriesPoint['fields'], k: string) => (typeof f[k] === 'string' ? f[k] : '');
const list = (text: string): string[] => (text === '' ? [] : text.split(','));

function state(f: SeriesPoint['fields'], value: number, u: string, coverage: string, flags: string): RestatedState {
  const expanded = num(f, u);
  return { value, ...(expanded === undefined ? {} : { expandedUncertainty: expanded }), coveragePercent: num(f, coverage) ?? 0, flags: list(str(f, flags)) };
}

/** The restatement a stored point holds, or why it holds none (a point of another measurement, or one lacking its identity or values). */
export function restatementOf(point: SeriesPoint): RowRead<StoredRestatement> {
  if (point.measurement !== RESTATEMENT_MEASUREMENT) return unreadable(`"${point.measurement}" is not the restatement measurement`);
  const { tags, fields: f } = point;
  const enterprise = tags[T.enterprise];
  const figure = tags[T.figure];
  const period = tags[T.period];
  const oldValue = num(f, F.oldValue);
  const newValue = num(f, F.newValue);
  if (!enterprise || !figure || !period || oldValue === undefined || newValue === undefined) {
    return unreadable(`restatement ${JSON.stringify(tags)} at ${point.timestampMs} lacks ${T.enterprise}, ${T.figure}, ${T.period}, ${F.oldValue} or ${F.newValue}`);
  }
  const restatement: StoredRestatement = {
    restatementId: str(f, F.restatementId),
    enterpriseId: enterprise,
    figure,
    periodKind: period,
    periodKey: str(f, F.periodKey),
    startMs: point.timestampMs,
    subject: tags[T.subject] ?? '',
    revision: Number(tags[T.revision] ?? 0),
    unit: str(f, F.unit),
    old: state(f, oldValue, F.oldExpandedU, F.oldCoverage, F.oldFlags),
    new: state(f, newValue, F.newExpandedU, F.newCoverage, F.newFlags),
    reason: str(f, F.reason),
    detail: str(f, F.detail),
    restatedAt: str(f, F.restatedAt),
  };
  return { ok: true, value: restatement };
}

/** The tags that select one enterprise's restatements. */
export const restatementTags = (enterpriseId: string): Record<string, string> => ({ [T.enterprise]: enterpriseId });
