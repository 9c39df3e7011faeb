import { createHash } from 'node:crypto';
import { AlertV1, compileValidator } from '@meterline/contracts';
import type { SeriesPoint, TimeSeriesStore } from '@meterline/store';
import { CURRENT_RANGE, CURRENT_VALUE_MS, isNumber, isText, readRows, unreadable, type OnUnreadable, type RowRead, type StoredRow } from './row-read.ts';

/**
 * The alerter's state, so it survives restarts and moves between instances with the
 * enterprise: one "current value" series per (enterprise, alert), the alert's record as JSON,
 * and one per enterprise holding its progress under the key `meta`.
 */
export const ALERT_STATE = Object.freeze({
  measurement: 'alerter_state',
  tags: Object.freeze({ enterprise: 'enterprise', key: 'key' }),
  fields: Object.freeze({ doc: 'doc' }),
  /** The `key` of the enterprise's progress; an alert's key is a hex hash, never this word. */
  progressKey: 'meta',
});

/** An alert as the alerter keeps it: the alert, how recent the data judging it is, and when it was last sent. */
export interface AlertRecord {
  alert: AlertV1;
  asOfMs: number;
  /** When a notice of it was last issued; unset while it has not been (e.g. silenced). */
  lastNotifiedMs?: number;
}

export interface EnterpriseProgress {
  /** The newest tick evaluated: an older or equal tick (another instance's copy) is skipped. */
  lastTickMs: number;
  /** Since when this enterprise is watched: points never heard from get their grace from here. */
  watchingSinceMs: number;
  /** New at every save: an instance whose cached alerts carry the stored revision need not read them again. */
  revision: string;
}

type AlertStateRow = { kind: 'alert'; record: AlertRecord } | { kind: 'progress'; progress: EnterpriseProgress };

const { tags: T, fields: F } = ALERT_STATE;

/** The `key` tag of an alert in both of its series: the dedup key is long and holds subject values, its hash is neither. */
export const alertKey = (dedupKey: string): string => createHash('sha256').update(dedupKey).digest('hex').slice(0, 20);

export function alertStatePoint(record: AlertRecord): SeriesPoint {
  return {
    measurement: ALERT_STATE.measurement,
    tags: { [T.enterprise]: record.alert.enterpriseId, [T.key]: alertKey(record.alert.dedupKey) },
    fields: { [F.doc]: JSON.stringify(record) },
    timestampMs: CURRENT_VALUE_MS,
  };
}

export function progressPoint(enterpriseId: string, progress: EnterpriseProgress): SeriesPoint {
  return {
    measurement: ALERT_STATE.measurement,
    tags: { [T.enterprise]: enterpriseId, [T.key]: ALERT_STATE.progressKey },
    fields: { [F.doc]: JSON.stringify(progress) },
    timestampMs: CURRENT_VALUE_MS,
  };
}

const validAlert = compileValidator(AlertV1);

function recordOf(doc: Record<string, unknown>): RowRead<AlertRecord> {
  const { alert, asOfMs, lastNotifiedMs } = doc;
  const checked = validAlert.validate(alert);
  if (!checked.ok) return unreadable(`its alert is no alert v1: ${checked.issues.map((i) => `${i.path || '/'} ${i.message}`).join('; ')}`);
  if (!isNumber(asOfMs)) return unreadable('its record lacks asOfMs');
  if (lastNotifiedMs !== undefined && !isNumber(lastNotifiedMs)) return unreadable('its lastNotifiedMs is not a number');
  return { ok: true, value: { alert: checked.value, asOfMs, ...(lastNotifiedMs === undefined ? {} : { lastNotifiedMs }) } };
}

function progressOf(doc: Record<string, unknown>): RowRead<EnterpriseProgress> {
  const { lastTickMs, watchingSinceMs, revision } = doc;
  if (!isNumber(lastTickMs) || !isNumber(watchingSinceMs)) return unreadable('its progress lacks lastTickMs or watchingSinceMs');
  // A progress saved before revisions has none: no cached copy matches the empty one.
  return { ok: true, value: { lastTickMs, watchingSinceMs, revision: isText(revision) ? revision : '' } };
}

/** A row of the state series: an alert's record or the enterprise's progress, by its key. */
function alertStateOf(row: StoredRow): RowRead<AlertStateRow> {
  const text = row.fields[F.doc];
  if (!isText(text)) return unreadable(`lacks its \`${F.doc}\``);
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    return unreadable(`its \`${F.doc}\` is not JSON: ${(error as Error).name}`);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return unreadable(`its \`${F.doc}\` is not a JSON object`);
  if (row.tags[T.key] === ALERT_STATE.progressKey) {
    const progress = progressOf(doc as Record<string, unknown>);
    return progress.ok ? { ok: true, value: { kind: 'progress', progress: progress.value } } : progress;
  }
  const record = recordOf(doc as Record<string, unknown>);
  return record.ok ? { ok: true, value: { kind: 'alert', record: record.value } } : record;
}

export interface EnterpriseAlerts {
  progress: EnterpriseProgress | undefined;
  /** By dedup key. */
  records: Map<string, AlertRecord>;
}

/** The enterprise's progress alone: one row, read before every evaluation to check a cache. */
export async function loadProgress(store: TimeSeriesStore, enterpriseId: string, onUnreadable: OnUnreadable): Promise<EnterpriseProgress | undefined> {
  return (await loadState(store, { [T.enterprise]: enterpriseId, [T.key]: ALERT_STATE.progressKey }, onUnreadable)).progress;
}

/** The enterprise's progress and the records of its alerts; an unreadable row is reported and left out. */
export function loadAlerts(store: TimeSeriesStore, enterpriseId: string, onUnreadable: OnUnreadable): Promise<EnterpriseAlerts> {
  return loadState(store, { [T.enterprise]: enterpriseId }, onUnreadable);
}

async function loadState(store: TimeSeriesStore, tags: Record<string, string>, onUnreadable: OnUnreadable): Promise<EnterpriseAlerts> {
  const rows = await store.readSeries({ measurement: ALERT_STATE.measurement, tags, ...CURRENT_RANGE });
  const alerts: EnterpriseAlerts = { progress: undefined, records: new Map() };
  for (const row of readRows(ALERT_STATE.measurement, rows, alertStateOf, onUnreadable)) {
    if (row.kind === 'progress') alerts.progress = row.progress;
    else alerts.records.set(row.record.alert.dedupKey, row.record);
  }
  return alerts;
}
