import type { SeriesPoint, TimeSeriesStore } from '@meterline/store';
import { isNumber, isText, readRows, type OnUnreadable, type RowRead, type StoredRow } from './row-read.ts';

/**
 * What the aggregator last computed, per enterprise and local unit of work (a day, or a
 * month), and from which inputs: for each period kind, a digest of the inputs the unit's
 * figures of that kind were computed from (the landing marks of its hours, the registry
 * version, factor set and manual entries) and, for quarter-hours and hours, the end of the
 * last period computed without a hole from the day's start. Written only after the unit's
 * figures are stored, so a crash in between leaves the unit to compute again.
 *
 * A unit whose digest still matches and whose periods are all computed is left alone: its
 * figures are neither read back nor compared.
 */
export const AGGREGATION_STATE = Object.freeze({
  measurement: 'aggregation_state',
  tags: Object.freeze({ enterprise: 'enterprise', unit: 'unit' }),
  /**
   * Per period kind: `inputs_<kind>` (digest of every input), `context_<kind>` (digest of the
   * inputs other than readings); quarter-hour and hour also `marks_<kind>` (the landing marks it
   * was computed from, `<hour ms>:<landed>` joined by commas: which hours changed since) and
   * `until_<kind>` (epoch ms).
   */
  fieldPrefixes: Object.freeze({ inputs: 'inputs_', context: 'context_', marks: 'marks_', until: 'until_' }),
});

/** The stored name of each period kind in field names (no dash). */
const KIND_FIELD = Object.freeze({ 'quarter-hour': 'quarter_hour', hour: 'hour', day: 'day', month: 'month' } as const);
export type StateKind = keyof typeof KIND_FIELD;
const KINDS = Object.keys(KIND_FIELD) as StateKind[];

export type StateUnit = 'day' | 'month';

/** One kind's record in a unit. */
export interface KindState {
  /** Digest of the inputs its figures were computed from. */
  inputs: string;
  /** Digest of those inputs other than the readings (registry, factor set, manual entries, limits). */
  context: string;
  /** Sub-day kinds: the landing marks (readings-landed.ts) it was computed from, `<hour ms>:<landed>` joined by commas. */
  marks?: string;
  /** Sub-day kinds: end of the last period computed, every earlier period of the day computed too (epoch ms). */
  untilMs?: number;
}

export interface UnitState {
  enterpriseId: string;
  unit: StateUnit;
  /** Start of the local day or month, epoch ms. */
  startMs: number;
  kinds: Partial<Record<StateKind, KindState>>;
}

const { tags: T, fieldPrefixes: P } = AGGREGATION_STATE;

export function unitStatePoint(state: UnitState): SeriesPoint {
  const fields: SeriesPoint['fields'] = {};
  for (const kind of KINDS) {
    const k = state.kinds[kind];
    if (!k) continue;
    fields[`${P.inputs}${KIND_FIELD[kind]}`] = k.inputs;
    fields[`${P.context}${KIND_FIELD[kind]}`] = k.context;
    if (k.marks !== undefined) fields[`${P.marks}${KIND_FIELD[kind]}`] = k.marks;
    if (k.untilMs !== undefined) fields[`${P.until}${KIND_FIELD[kind]}`] = k.untilMs;
  }
  return { measurement: AGGREGATION_STATE.measurement, tags: { [T.enterprise]: state.enterpriseId, [T.unit]: state.unit }, fields, timestampMs: state.startMs };
}

function unitStateOf(row: StoredRow): RowRead<UnitState> {
  const unit = row.tags[T.unit];
  if (unit !== 'day' && unit !== 'month') return { ok: false, reason: `unit tag ${String(unit)} is neither day nor month` };
  const kinds: UnitState['kinds'] = {};
  for (const kind of KINDS) {
    const inputs = row.fields[`${P.inputs}${KIND_FIELD[kind]}`];
    const context = row.fields[`${P.context}${KIND_FIELD[kind]}`];
    if (!isText(inputs) || !isText(context)) continue;
    const marks = row.fields[`${P.marks}${KIND_FIELD[kind]}`];
    const until = row.fields[`${P.until}${KIND_FIELD[kind]}`];
    kinds[kind] = { inputs, context, ...(isText(marks) ? { marks } : {}), ...(isNumber(until) ? { untilMs: until } : {}) };
  }
  return { ok: true, value: { enterpriseId: row.tags[T.enterprise] ?? '', unit, startMs: row.timestampMs, kinds } };
}

/** The unit states starting in [fromMs, toMs), of one enterprise or (`enterpriseId` undefined) of all. */
export async function readUnitStates(store: TimeSeriesStore, enterpriseId: string | undefined, fromMs: number, toMs: number, onUnreadable: OnUnreadable): Promise<UnitState[]> {
  const tags: Record<string, string> = enterpriseId === undefined ? {} : { [T.enterprise]: enterpriseId };
  const rows = await store.readSeries({ measurement: AGGREGATION_STATE.measurement, tags, fromMs, toMs });
  return readRows(AGGREGATION_STATE.measurement, rows, unitStateOf, onUnreadable);
}

/** Stores unit states; a kind absent from a state keeps what is stored (fields merge). */
export async function writeUnitStates(store: TimeSeriesStore, states: readonly UnitState[]): Promise<void> {
  const points = states.map(unitStatePoint).filter((p) => Object.keys(p.fields).length > 0);
  if (points.length > 0) await store.write(points);
}
