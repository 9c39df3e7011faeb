import type { FigureV1 } from '@meterline/contracts';
import { FIGURE_MEASUREMENTS } from '@meterline/contracts';
import type { PeriodKind } from '@meterline/domain';
import type { FieldValue, SeriesPoint } from '@meterline/store';

/**
 * How a figure is stored: tags `enterprise`, `period` (the kind) and its subject; the
 * timestamp is the period's start, so a recomputed figure overwrites itself. Detail fields
 * sit next to these base fields and must not reuse their names.
 */
const BASE_FIELDS = ['value', 'unit', 'u', 'coverage', 'estimated', 'flags', 'factor_set', 'registry_version', 'period_key', 'period_end', 'revision'] as const;
const BASE = new Set<string>(BASE_FIELDS);
const RESERVED_TAGS = new Set(['enterprise', 'period']);
const MEASUREMENTS = new Set<string>(Object.values(FIGURE_MEASUREMENTS));

export function toSeriesPoint(figure: FigureV1): SeriesPoint {
  for (const key of Object.keys(figure.detail)) if (BASE.has(key)) throw new Error(`figure detail "${key}" would overwrite a base field`);
  for (const key of Object.keys(figure.subject)) if (RESERVED_TAGS.has(key)) throw new Error(`figure subject "${key}" would overwrite a series tag`);
  return {
    measurement: figure.measurement,
    tags: { enterprise: figure.enterpriseId, period: figure.periodKind, ...figure.subject },
    timestampMs: figure.startMs,
    fields: {
      value: figure.value,
      unit: figure.unit,
      u: figure.expandedUncertainty,
      coverage: figure.coveragePercent,
      estimated: figure.estimated,
      flags: figure.flags.join(','),
      factor_set: figure.factorSet,
      registry_version: figure.registryVersion,
      period_key: figure.periodKey,
      period_end: figure.endMs,
      revision: figure.revision,
      ...figure.detail,
    },
  };
}

/** What a recomputation is compared with: the figure's identity and the parts a restatement is about. */
export type PublishedFigure = Pick<
  FigureV1,
  'measurement' | 'enterpriseId' | 'subject' | 'periodKind' | 'startMs' | 'value' | 'expandedUncertainty' | 'coveragePercent' | 'flags' | 'factorSet' | 'registryVersion' | 'revision'
>;

/** The stored fields a PublishedFigure needs: reading only these halves what the comparison reads back. */
export const PUBLISHED_FIELDS = ['value', 'u', 'coverage', 'flags', 'factor_set', 'registry_version', 'revision'];

const num = (f: SeriesPoint['fields'], k: string) => (typeof f[k] === 'number' ? (f[k] as number) : undefined);
const str = (f: SeriesPoint['fields'], k: string) => (typeof f[k] === 'string' ? (f[k] as string) : undefined);

/** The published state a stored point holds, or a reason it cannot be a figure (a point written by something else). */
export function publishedFigureOf(point: SeriesPoint): PublishedFigure | string {
  if (!MEASUREMENTS.has(point.measurement)) return `"${point.measurement}" is not a figure measurement`;
  const { enterprise, period, ...subject } = point.tags;
  const f = point.fields;
  const value = num(f, 'value');
  const u = num(f, 'u');
  const coverage = num(f, 'coverage');
  if (!enterprise || !period || value === undefined || u === undefined || coverage === undefined) {
    return `${point.measurement} ${JSON.stringify(point.tags)} at ${point.timestampMs} lacks enterprise, period, value, u or coverage`;
  }
  const flags = str(f, 'flags') ?? '';
  return {
    measurement: point.measurement as FigureV1['measurement'],
    enterpriseId: enterprise,
    subject,
    periodKind: period as PeriodKind,
    startMs: point.timestampMs,
    value,
    expandedUncertainty: u,
    coveragePercent: coverage,
    flags: flags === '' ? [] : flags.split(','),
    factorSet: str(f, 'factor_set') ?? '',
    registryVersion: str(f, 'registry_version') ?? '',
    revision: num(f, 'revision') ?? 0,
  };
}

/** The whole figure a stored point holds (all its fields read), or why it cannot be one. */
export function fromSeriesPoint(point: SeriesPoint): FigureV1 | string {
  const published = publishedFigureOf(point);
  if (typeof published === 'string') return published;
  const f = point.fields;
  const end = num(f, 'period_end');
  if (end === undefined) return `${point.measurement} ${JSON.stringify(point.tags)} at ${point.timestampMs} lacks period_end`;
  const detail: Record<string, FieldValue> = {};
  for (const [k, v] of Object.entries(f)) if (!BASE.has(k)) detail[k] = v;
  return { ...published, periodKey: str(f, 'period_key') ?? '', endMs: end, unit: str(f, 'unit') ?? '', estimated: num(f, 'estimated') ?? 0, detail };
}

/** A figure's subject as one text, `k=v` in key order (e.g. `point=p1;site=s1`). */
export const subjectText = (subject: FigureV1['subject']): string =>
  Object.keys(subject)
    .sort()
    .map((k) => `${k}=${subject[k]}`)
    .join(';');

/** Identifies a figure's series and period: what a recomputation overwrites. */
export function figureKey(f: Pick<FigureV1, 'measurement' | 'enterpriseId' | 'subject' | 'periodKind' | 'startMs'>): string {
  return `${f.measurement}|${f.enterpriseId}|${f.periodKind}|${subjectText(f.subject)}|${f.startMs}`;
}
