import { createHash } from 'node:crypto';
import type { DeviceState } from '@meterline/contracts';
import type { SeriesPoint, TimeSeriesStore } from '@meterline/store';
import type { AlertRecord } from './alert-lifecycle.ts';
import type { DeviceReport } from './rules/meter-offline.ts';

/**
 * Where the alerter keeps its state in the store, so it survives restarts and moves between
 * instances with the enterprise. "Current value" series are written at timestamp 0: a write
 * replaces the stored point (same series, same instant).
 */
export const ALERTER_MEASUREMENTS = Object.freeze({
  /** One series per (enterprise, dedup key): the alert record as JSON; key `meta` holds the enterprise's progress. */
  state: 'alerter_state',
  /** Alert history for the API and dashboards: one point per episode at its start; tags enterprise, rule, key. */
  history: 'alert',
  /** Per point, the timestamp of its newest reading seen on the readings topic. */
  seen: 'alerter_seen',
  /** Per device, its last status (last will). */
  device: 'alerter_device',
});

const CURRENT = { fromMs: 0, toMs: 1 };
const META_KEY = 'meta';

export interface EnterpriseProgress {
  /** The newest tick evaluated: an older or equal tick (another instance's copy) is skipped. */
  lastTickMs: number;
  /** Since when this enterprise is watched: points never heard from get their grace from here. */
  watchingSinceMs: number;
  /** New at every save: an instance whose cached alerts carry the stored revision need not read them again. */
  revision: string;
}

export interface EnterpriseAlerts {
  progress: EnterpriseProgress | undefined;
  records: Map<string, AlertRecord>;
}

const storageKey = (dedupKey: string) => createHash('sha256').update(dedupKey).digest('hex').slice(0, 20);

/** The enterprise's progress alone: one row, read before every evaluation to check a cache. */
export async function loadProgress(store: TimeSeriesStore, enterpriseId: string): Promise<EnterpriseProgress | undefined> {
  const [meta] = await store.readSeries({ measurement: ALERTER_MEASUREMENTS.state, tags: { enterprise: enterpriseId, key: META_KEY }, ...CURRENT });
  return meta ? (JSON.parse(String(meta.fields.doc)) as EnterpriseProgress) : undefined;
}

export async function loadAlerts(store: TimeSeriesStore, enterpriseId: string): Promise<EnterpriseAlerts> {
  const points = await store.readSeries({ measurement: ALERTER_MEASUREMENTS.state, tags: { enterprise: enterpriseId }, ...CURRENT });
  let progress: EnterpriseProgress | undefined;
  const records = new Map<string, AlertRecord>();
  for (const p of points) {
    const doc = JSON.parse(String(p.fields.doc)) as unknown;
    if (p.tags.key === META_KEY) progress = doc as EnterpriseProgress;
    else {
      const record = doc as AlertRecord;
      records.set(record.alert.dedupKey, record);
    }
  }
  return { progress, records };
}

/** How one alert is stored: its current record (timestamp 0) and its history point at its start. */
export function alertRecordPoints(record: AlertRecord): SeriesPoint[] {
  const { alert } = record;
  const tags = { enterprise: alert.enterpriseId, key: storageKey(alert.dedupKey) };
  return [
    { measurement: ALERTER_MEASUREMENTS.state, tags, fields: { doc: JSON.stringify(record) }, timestampMs: 0 },
    {
      measurement: ALERTER_MEASUREMENTS.history,
      tags: { ...tags, rule: alert.rule },
      fields: {
        alert_id: alert.alertId,
        dedup_key: alert.dedupKey,
        status: alert.status,
        severity: alert.severity,
        summary: alert.summary,
        subject: JSON.stringify(alert.subject),
        ...(alert.value === undefined ? {} : { value: alert.value }),
        ...(alert.threshold === undefined ? {} : { threshold: alert.threshold }),
        ...(alert.unit === undefined ? {} : { unit: alert.unit }),
        ...(alert.endsAt === undefined ? {} : { ends_at_ms: Date.parse(alert.endsAt) }),
      },
      timestampMs: Date.parse(alert.startsAt),
    },
  ];
}

/** Writes the changed records and the progress, and each changed alert's history point. */
export async function saveAlerts(store: TimeSeriesStore, enterpriseId: string, changed: readonly AlertRecord[], progress: EnterpriseProgress): Promise<void> {
  await store.write([
    { measurement: ALERTER_MEASUREMENTS.state, tags: { enterprise: enterpriseId, key: META_KEY }, fields: { doc: JSON.stringify(progress) }, timestampMs: 0 },
    ...changed.flatMap(alertRecordPoints),
  ]);
}

export async function recordSeen(store: TimeSeriesStore, seen: ReadonlyMap<string, { enterpriseId: string; lastMs: number }>): Promise<void> {
  if (seen.size === 0) return;
  await store.write(
    [...seen].map(([point, s]) => ({ measurement: ALERTER_MEASUREMENTS.seen, tags: { enterprise: s.enterpriseId, point }, fields: { last_ms: s.lastMs }, timestampMs: 0 })),
  );
}

export async function loadSeen(store: TimeSeriesStore, enterpriseId: string): Promise<Map<string, number>> {
  const points = await store.readSeries({ measurement: ALERTER_MEASUREMENTS.seen, tags: { enterprise: enterpriseId }, ...CURRENT });
  return new Map(points.map((p) => [p.tags.point!, Number(p.fields.last_ms)]));
}

export async function recordDeviceStates(
  store: TimeSeriesStore,
  reports: readonly { enterpriseId: string; deviceId: string; state: DeviceState; atMs: number; text: string }[],
): Promise<void> {
  if (reports.length === 0) return;
  await store.write(
    reports.map((r) => ({
      measurement: ALERTER_MEASUREMENTS.device,
      tags: { enterprise: r.enterpriseId, device: r.deviceId },
      fields: { state: r.state, at_ms: r.atMs, text: r.text },
      timestampMs: 0,
    })),
  );
}

export async function loadDeviceStates(store: TimeSeriesStore, enterpriseId: string): Promise<Map<string, DeviceReport>> {
  const points = await store.readSeries({ measurement: ALERTER_MEASUREMENTS.device, tags: { enterprise: enterpriseId }, ...CURRENT });
  return new Map(points.map((p) => [p.tags.device!, { state: p.fields.state as DeviceState, atMs: Number(p.fields.at_ms) }]));
}
