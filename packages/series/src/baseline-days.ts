import { FIGURE_KINDS } from '@meterline/contracts';
import { calendarPeriod, effectiveEntries, isWorkingDay, subPeriods, type Enterprise, type ManualEntry, type MeteringPoint } from '@meterline/domain';
import type { DailyInput } from '@meterline/mining';
import type { TimeSeriesStore } from '@meterline/store';
import type { OnUnreadable } from './row-read.ts';
import { FIGURE_TAGS as T, readFigureMeasures, STANDARD_COAL_BASES, STANDARD_COAL_LEVELS, type FigureSeriesQuery } from './figures.ts';
import { readManualEntries } from './manual-entries.ts';

/** What a baseline is of: the enterprise's standard coal, a site's, or one metering point's consumption. */
export type BaselineSubject =
  | { kind: 'enterprise'; unit: 'tce' }
  | { kind: 'site'; siteId: string; unit: 'tce' }
  | { kind: 'point'; point: MeteringPoint; siteId: string; unit: string };

/** The days, or why the production variable cannot be read: several products entered and none named. */
export type BaselineDays = { ok: true; days: DailyInput[] } | { ok: false; parameter: 'product'; detail: string };

/**
 * The subject of a baseline on a point of the enterprise, or on a site (its standard coal), or
 * with neither on the enterprise's standard coal; undefined for a point or site it does not have.
 */
export function baselineSubjectOf(enterprise: Enterprise, on: { point?: string | undefined; site?: string | undefined }): BaselineSubject | undefined {
  const pointId = on.point;
  if (pointId === undefined) {
    if (on.site === undefined) return { kind: 'enterprise', unit: 'tce' };
    return enterprise.sites.some((s) => s.id === on.site) ? { kind: 'site', siteId: on.site, unit: 'tce' } : undefined;
  }
  for (const site of enterprise.sites) {
    const point = site.meteringPoints.find((p) => p.id === pointId);
    if (point) return { kind: 'point', point, siteId: site.id, unit: point.unit };
  }
  return undefined;
}

const DAY_KEY = /^\d{4}-\d{2}-\d{2}$/;

/** The figure series a subject's days are: standard coal (equivalent value) of the enterprise or the site, or the point's consumption. */
export function baselineSeriesOf(subject: BaselineSubject): Pick<FigureSeriesQuery, 'kind' | 'subject'> {
  const coal = (level: string, site?: string) => ({ [T.level]: level, ...(site === undefined ? {} : { [T.site]: site }), [T.basis]: STANDARD_COAL_BASES.equivalent });
  switch (subject.kind) {
    case 'enterprise':
      return { kind: FIGURE_KINDS.standardCoal, subject: coal(STANDARD_COAL_LEVELS.enterprise) };
    case 'site':
      return { kind: FIGURE_KINDS.standardCoal, subject: coal(STANDARD_COAL_LEVELS.site, subject.siteId) };
    case 'point':
      return { kind: FIGURE_KINDS.consumption, subject: { [T.point]: subject.point.id } };
  }
}

/**
 * A subject's days from `from` to `to` (local, inclusive) as a baseline reads them: the day
 * figures' value and U, the day's production (manual production entries of that day, of one
 * product), its mean outdoor temperature (manual outdoor-temperature entries: the subject's
 * site's, else the enterprise's own) and whether it is a working day (Monday to Friday, or as the
 * enterprise's registry calendar says). A day without a figure is absent; a variable the day lacks is left
 * out of it, and the baseline says which days lacked what.
 */
export async function loadBaselineDays(
  store: TimeSeriesStore,
  enterprise: Enterprise,
  subject: BaselineSubject,
  range: { from: string; to: string },
  product: string | undefined,
  onUnreadable: OnUnreadable,
): Promise<BaselineDays> {
  const tz = enterprise.timeZone;
  const span = { start: calendarPeriod(range.from, tz).start, end: calendarPeriod(range.to, tz).end };
  const periods = subPeriods({ ...span, kind: 'year', key: `${range.from}..${range.to}`, timeZone: tz }, 'day');
  const dateAt = new Map(periods.map((d) => [d.start, d.key]));
  const figures = await readFigureMeasures(store, { ...baselineSeriesOf(subject), enterpriseId: enterprise.id, periodKind: 'day', fromMs: span.start, toMs: span.end }, onUnreadable);
  const entries = effectiveEntries(await readManualEntries(store, enterprise.id, onUnreadable)).filter((e) => DAY_KEY.test(e.period) && e.period >= range.from && e.period <= range.to);
  const production = productionByDay(entries, product);
  if (!production.ok) return production;
  const temperature = temperatureByDay(entries, enterprise, subject);
  const days = figures.flatMap((f): DailyInput[] => {
    const date = dateAt.get(f.startMs);
    if (date === undefined) return [];
    const p = production.byDay.get(date);
    const t = temperature.get(date);
    return [{ date, startMs: f.startMs, energy: f.value, energyU: f.expandedU, workingDay: isWorkingDay(date, enterprise.calendar) ? 1 : 0, ...(p !== undefined ? { production: p } : {}), ...(t !== undefined ? { temperatureC: t } : {}) }];
  });
  return { ok: true, days };
}

/** Each day's production of one product: the one asked for, or the only one entered (several, without one named: refused). */
function productionByDay(entries: readonly ManualEntry[], product: string | undefined): { ok: true; byDay: Map<string, number> } | Extract<BaselineDays, { ok: false }> {
  const produced = entries.filter((e) => e.kind === 'production');
  const products = [...new Set(produced.map((e) => e.product!))].sort();
  if (product === undefined && products.length > 1) return { ok: false, parameter: 'product', detail: `the days have production of ${products.join(', ')}: name the one the energy depends on` };
  const byDay = new Map<string, number>();
  for (const e of produced) if (product === undefined || e.product === product) byDay.set(e.period, (byDay.get(e.period) ?? 0) + e.value);
  return { ok: true, byDay };
}

/** Each day's mean outdoor temperature: the subject's site's station first, then the enterprise's own (entered without a site). */
function temperatureByDay(entries: readonly ManualEntry[], enterprise: Enterprise, subject: BaselineSubject): Map<string, number> {
  const site = subject.kind !== 'enterprise' ? subject.siteId : enterprise.sites.length === 1 ? enterprise.sites[0]!.id : undefined;
  const temperatures = entries.filter((e) => e.kind === 'outdoor-temperature');
  const byDay = new Map<string, number>();
  for (const e of temperatures) if (e.site === undefined) byDay.set(e.period, e.value);
  if (site !== undefined) for (const e of temperatures) if (e.site === site) byDay.set(e.period, e.value);
  return byDay;
}
