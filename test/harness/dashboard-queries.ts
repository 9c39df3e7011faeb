// What Grafana does with a provisioned dashboard before it asks a data source anything:
// resolve the template variables in order, work out the time range (the dashboard's zone,
// a panel's time shift), interpolate variables and macros into each query. Tests run the
// result against the real InfluxDB, so what is checked is the built JSON Grafana loads.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fromLocalTime, toLocalTime } from '@meterline/domain';

const BUILD_DIR = join(import.meta.dirname, '..', '..', 'dashboards', 'build');

interface DataSourceRef {
  type?: string;
  uid?: string;
}

interface BuiltTarget {
  refId: string;
  datasource: DataSourceRef;
  /** InfluxQL (raw mode). */
  query?: string;
  resultFormat?: string;
  /** PromQL. */
  expr?: string;
  /** PromQL: evaluated once at the end of the range (a table), not over it. */
  instant?: boolean;
}

interface BuiltPanel {
  id: number;
  type: string;
  title?: string;
  datasource?: DataSourceRef;
  targets?: BuiltTarget[];
  timeShift?: string;
  /** The panel's own relative time (`6M`: the last six months), instead of the dashboard's range. */
  timeFrom?: string;
  panels?: BuiltPanel[];
}

interface BuiltVariable {
  type: string;
  name: string;
  query?: string;
  datasource?: DataSourceRef;
  multi?: boolean;
  includeAll?: boolean;
  current?: { text: string | string[]; value: string | string[] };
}

export interface BuiltDashboard {
  uid: string;
  title: string;
  timezone: string;
  time: { from: string; to: string };
  templating: { list?: BuiltVariable[] };
  panels?: BuiltPanel[];
}

/** One query of one panel, as provisioned. */
export interface PanelQuery {
  dashboard: string;
  panel: string;
  refId: string;
  kind: 'influxql' | 'promql';
  text: string;
  timeShift: string | undefined;
  timeFrom: string | undefined;
  /** PromQL only: an instant query (at the end of the range) rather than a range query. */
  instant: boolean;
}

/** Every dashboard in dashboards/build, parsed. */
export function builtDashboards(): BuiltDashboard[] {
  return readdirSync(BUILD_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => JSON.parse(readFileSync(join(BUILD_DIR, f), 'utf8')) as BuiltDashboard);
}

/** Every query of every panel, rows' panels included. */
export function panelQueries(d: BuiltDashboard): PanelQuery[] {
  const panels = (d.panels ?? []).flatMap((p) => [p, ...(p.panels ?? [])]);
  return panels.flatMap((p) =>
    (p.targets ?? []).map((t) => {
      const type = t.datasource.type ?? p.datasource?.type;
      if (type !== 'influxdb' && type !== 'prometheus') throw new Error(`${d.uid} / ${p.title}: data source ${type} is neither InfluxDB nor Prometheus`);
      const text = type === 'influxdb' ? t.query : t.expr;
      if (!text) throw new Error(`${d.uid} / ${p.title} ${t.refId}: no query`);
      return { dashboard: d.uid, panel: p.title ?? '', refId: t.refId, kind: type === 'influxdb' ? ('influxql' as const) : ('promql' as const), text, timeShift: p.timeShift, timeFrom: p.timeFrom, instant: t.instant === true };
    }),
  );
}

/** A variable with its options and what is selected, as Grafana holds it once resolved. */
export interface ResolvedVariable {
  variable: BuiltVariable;
  options: string[];
  selected: string[];
  /** The query run for the options, interpolated (query variables only). */
  query?: string;
}

/**
 * Resolves a dashboard's variables in their order: a query variable's query is interpolated
 * with the variables before it, then run; the selection is `choose[name]`, else the saved
 * current value (`$__all`: every option), else the first option (Grafana's default).
 */
export async function resolveVariables(
  d: BuiltDashboard,
  runTagValues: (influxQl: string) => Promise<string[]>,
  choose: Record<string, string[]> = {},
): Promise<Map<string, ResolvedVariable>> {
  const resolved = new Map<string, ResolvedVariable>();
  for (const variable of d.templating.list ?? []) {
    let options: string[];
    let query: string | undefined;
    if (variable.type === 'query') {
      if (variable.datasource?.type !== 'influxdb') throw new Error(`${d.uid}: variable ${variable.name} is not an InfluxDB query`);
      query = interpolate(variable.query ?? '', resolved);
      options = await runTagValues(query);
    } else if (variable.type === 'custom') {
      options = (variable.query ?? '').split(',').map((o) => o.trim());
    } else {
      throw new Error(`${d.uid}: variable ${variable.name} of type ${variable.type} is not simulated`);
    }
    const current = variable.current?.value;
    const selected = choose[variable.name] ?? (current === '$__all' ? options : current !== undefined ? [current].flat() : options.slice(0, 1));
    resolved.set(variable.name, { variable, options, selected, ...(query !== undefined ? { query } : {}) });
  }
  return resolved;
}

// Grafana's escaping of a value interpolated into an InfluxQL query.
const escapeRegex = (value: string) => value.replace(/[\\^$*+?.()|[\]{}/]/g, '\\$&');

/**
 * Interpolates `$name` / `${name}` as Grafana's InfluxDB data source does: a single-value
 * variable's value regex-escaped; a multi-value (or include-All) variable's values escaped
 * and joined with `|` and no parentheses (what recent Grafana versions send; the dashboards'
 * `(?:…)` groups must make that correct). Macros: `$timeFilter`, `$__interval`.
 */
export function interpolate(text: string, variables: Map<string, ResolvedVariable>, range?: { from: number; to: number }): string {
  let out = text;
  if (range) {
    out = out.replaceAll('$timeFilter', `time >= ${range.from}ms and time <= ${range.to}ms`);
    out = out.replaceAll('$__interval', `${Math.max(1, Math.round((range.to - range.from) / 1000 / 1000))}s`);
  }
  return out.replace(/\$(?:\{(\w+)\}|(\w+))/g, (match, braced: string | undefined, bare: string | undefined) => {
    const name = braced ?? bare!;
    const v = variables.get(name);
    if (!v) {
      if (name.startsWith('__') || name === 'timeFilter') throw new Error(`macro ${match} not simulated`);
      throw new Error(`undefined variable ${match}`);
    }
    if (!v.variable.multi && !v.variable.includeAll) return escapeRegex(v.selected[0] ?? '');
    return v.selected.map(escapeRegex).join('|');
  });
}

const UNIT_MS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000 };

function addCalendar(instant: number, amount: number, unit: string, timeZone: string): number {
  if (UNIT_MS[unit]) return instant + amount * UNIT_MS[unit];
  const l = toLocalTime(instant, timeZone);
  if (unit === 'd' || unit === 'w') {
    const days = unit === 'w' ? 7 * amount : amount;
    const date = new Date(Date.UTC(l.year, l.month - 1, l.day + days));
    return fromLocalTime({ ...l, year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate() }, timeZone);
  }
  if (unit === 'M' || unit === 'y') {
    const months = l.year * 12 + (l.month - 1) + (unit === 'y' ? 12 * amount : amount);
    const year = Math.floor(months / 12);
    const month = (months % 12) + 1;
    const lastDay = new Date(Date.UTC(year, month, 0)).getUTCDate();
    return fromLocalTime({ ...l, year, month, day: Math.min(l.day, lastDay) }, timeZone);
  }
  throw new Error(`time unit ${unit} not simulated`);
}

function startOf(instant: number, unit: string, timeZone: string): number {
  const l = toLocalTime(instant, timeZone);
  if (unit === 'd') return fromLocalTime({ ...l, hour: 0, minute: 0, second: 0 }, timeZone);
  if (unit === 'M') return fromLocalTime({ ...l, day: 1, hour: 0, minute: 0, second: 0 }, timeZone);
  if (unit === 'y') return fromLocalTime({ ...l, month: 1, day: 1, hour: 0, minute: 0, second: 0 }, timeZone);
  if (unit === 'h') return fromLocalTime({ ...l, minute: 0, second: 0 }, timeZone);
  throw new Error(`rounding to ${unit} not simulated`);
}

/** Grafana's relative time (`now`, `now-7d`, `now/M`, `now-7d/d`) in the dashboard's time zone. */
export function dateMath(expression: string, now: number, timeZone: string, roundUp: boolean): number {
  if (!expression.startsWith('now')) return Date.parse(expression);
  let t = now;
  for (const m of expression.slice(3).matchAll(/([+-])(\d+)([smhdwMy])|\/([smhdwMy])/g)) {
    if (m[4]) t = roundUp ? addCalendar(startOf(t, m[4], timeZone), 1, m[4], timeZone) - 1 : startOf(t, m[4], timeZone);
    else t = addCalendar(t, (m[1] === '-' ? -1 : 1) * Number(m[2]), m[3]!, timeZone);
  }
  return t;
}

/**
 * The range a panel queries: the dashboard's, in its zone, or the panel's relative time
 * (`6M`: Grafana's `now-6M` to `now`), moved back by the panel's time shift (e.g. `1y`).
 */
export function panelRange(d: BuiltDashboard, now: number, timeShift?: string, timeFrom?: string): { from: number; to: number } {
  let from = dateMath(d.time.from, now, d.timezone, false);
  let to = dateMath(d.time.to, now, d.timezone, true);
  if (timeFrom) {
    if (!/^\d+[smhdwMy]$/.test(timeFrom)) throw new Error(`relative time ${timeFrom} not simulated`);
    from = dateMath(`now-${timeFrom}`, now, d.timezone, false);
    to = now;
  }
  if (timeShift) {
    const m = /^(\d+)([smhdwMy])$/.exec(timeShift);
    if (!m) throw new Error(`time shift ${timeShift} not simulated`);
    from = addCalendar(from, -Number(m[1]), m[2]!, d.timezone);
    to = addCalendar(to, -Number(m[1]), m[2]!, d.timezone);
  }
  return { from, to };
}

const PROMQL_KEYWORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'bool', 'and', 'or', 'unless', 'offset']);

/** The metric names a PromQL expression reads, and the labels it groups by. */
export function promqlNames(expr: string): { metrics: string[]; groupingLabels: string[] } {
  const groupingLabels: string[] = [];
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\[[^\]]*\]/g, '')
    .replace(/\{[^}]*\}/g, '')
    .replace(/\b(?:by|without)\s*\(([^)]*)\)/g, (_m, labels: string) => {
      groupingLabels.push(...labels.split(',').map((l) => l.trim()).filter(Boolean));
      return '';
    });
  const metrics = [...stripped.matchAll(/([A-Za-z_:][A-Za-z0-9_:]*)(\s*\()?/g)].filter((m) => !m[2] && !PROMQL_KEYWORDS.has(m[1]!)).map((m) => m[1]!);
  return { metrics: [...new Set(metrics)], groupingLabels: [...new Set(groupingLabels)] };
}

export interface MetricSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** A Prometheus text exposition: its samples, and the metric families it declares with their types. */
export function parseExposition(text: string): { samples: MetricSample[]; families: Map<string, string> } {
  const samples: MetricSample[] = [];
  const families = new Map<string, string>();
  for (const line of text.split('\n')) {
    const type = /^# TYPE (\S+) (\S+)/.exec(line);
    if (type) families.set(type[1]!, type[2]!);
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([A-Za-z_:][A-Za-z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (!m) throw new Error(`unreadable exposition line: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!;
    samples.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return { samples, families };
}

/** Names a selector can use for a family: a histogram's or summary's series have suffixes. */
export function seriesNames(families: Map<string, string>): Set<string> {
  const names = new Set<string>();
  for (const [name, type] of families) {
    names.add(name);
    if (type === 'histogram') for (const s of ['_bucket', '_sum', '_count']) names.add(name + s);
    if (type === 'summary') for (const s of ['_sum', '_count']) names.add(name + s);
  }
  return names;
}

/**
 * Grafana's rounding of an interval worked out from a range (rangeutil's roundInterval): a
 * "nice" step just under the exact one, in milliseconds.
 */
const NICE_INTERVALS: readonly (readonly [below: number, use: number])[] = [
  [15, 10], [35, 20], [75, 50], [150, 100], [350, 200], [750, 500], [1_500, 1_000], [3_500, 2_000],
  [7_500, 5_000], [12_500, 10_000], [17_500, 15_000], [25_000, 20_000], [45_000, 30_000], [90_000, 60_000],
  [210_000, 120_000], [450_000, 300_000], [900_000, 600_000], [1_200_000, 900_000], [2_700_000, 1_200_000],
  [5_400_000, 3_600_000], [9_000_000, 7_200_000], [16_200_000, 10_800_000], [32_400_000, 21_600_000],
  [86_400_000, 43_200_000], [604_800_000, 86_400_000], [1_814_400_000, 604_800_000], [3_628_800_000, 2_592_000_000],
];
const roundInterval = (ms: number): number => NICE_INTERVALS.find(([below]) => ms < below)?.[1] ?? 31_536_000_000;

/** What Grafana's Prometheus data source puts in a query for a range, in whole seconds. */
export interface PromIntervals {
  /** `$__interval`, also the step of a range query. */
  interval: number;
  /** `$__rate_interval`: max($__interval + scrape interval, 4 × scrape interval). */
  rateInterval: number;
  /** `$__range`. */
  range: number;
}

/**
 * The intervals Grafana computes for a panel `maxDataPoints` pixels wide over `range`, with the
 * data source's scrape interval (its "min interval", and the base of `$__rate_interval`).
 */
export function promIntervals(range: { from: number; to: number }, scrapeIntervalSeconds: number, maxDataPoints: number): PromIntervals {
  const interval = Math.max(scrapeIntervalSeconds, roundInterval((range.to - range.from) / maxDataPoints) / 1000);
  return { interval, rateInterval: Math.max(interval + scrapeIntervalSeconds, 4 * scrapeIntervalSeconds), range: Math.round((range.to - range.from) / 1000) };
}

/**
 * Interpolates a PromQL query as Grafana's Prometheus data source does: `$__rate_interval`,
 * `$__interval`, `$__range` (and their `_ms` / `_s` forms) as durations, then the template
 * variables (regex-escaped; several values joined with `|`).
 */
export function interpolatePromql(text: string, variables: Map<string, ResolvedVariable>, intervals: PromIntervals): string {
  const macros: Record<string, string> = {
    __rate_interval: `${intervals.rateInterval}s`,
    __rate_interval_ms: String(intervals.rateInterval * 1000),
    __interval: `${intervals.interval}s`,
    __interval_ms: String(intervals.interval * 1000),
    __range: `${intervals.range}s`,
    __range_s: String(intervals.range),
    __range_ms: String(intervals.range * 1000),
  };
  const withMacros = text.replace(/\$(?:\{(__\w+)\}|(__\w+))/g, (match, braced: string | undefined, bare: string | undefined) => {
    const value = macros[braced ?? bare!];
    if (value === undefined) throw new Error(`macro ${match} not simulated`);
    return value;
  });
  return interpolate(withMacros, variables);
}
