import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { AlertV1 } from '@meterline/contracts';
import { alertStatePoint, loadAlerts, loadProgress, progressPoint, type AlertRecord, type UnreadableRow } from '../src/index.ts';
import { suiteStore, uniqueId, type MakeSeriesStore } from './series-store-under-test.ts';

const T0 = Date.UTC(2026, 2, 2, 1, 0, 0);

export function alertOf(enterpriseId: string, point: string, over: Partial<AlertV1> = {}): AlertV1 {
  return {
    alertId: `a-${enterpriseId}-${point}`,
    dedupKey: `${enterpriseId}/meter-offline/point=${point}`,
    enterpriseId,
    rule: 'meter-offline',
    severity: 'critical',
    subject: { point },
    status: 'firing',
    startsAt: new Date(T0).toISOString(),
    summary: `${point} silent for 45 min`,
    value: 45,
    threshold: 30,
    unit: 'min',
    ...over,
  };
}

const noUnreadable = (row: UnreadableRow) => expect.fail(`unreadable: ${row.reason}`);

export function alertStateContract(name: string, make: MakeSeriesStore): void {
  describe(`alert state series: ${name}`, () => {
    const store = suiteStore(make);

    it('stores a record at timestamp 0 under a short hash of its dedup key, and reads it back whole with the progress', async () => {
      const enterprise = uniqueId('ent');
      const record: AlertRecord = { alert: alertOf(enterprise, 'p1'), asOfMs: T0 + 60_000, lastNotifiedMs: T0 + 61_000 };
      const progress = { lastTickMs: T0 + 60_000, watchingSinceMs: T0 - 3_600_000, revision: 'r-1' };
      await store().write([alertStatePoint(record), progressPoint(enterprise, progress)]);

      const rows = await store().readSeries({ measurement: 'alerter_state', tags: { enterprise }, fromMs: 0, toMs: 1 });
      const key = createHash('sha256').update(`${enterprise}/meter-offline/point=p1`).digest('hex').slice(0, 20);
      const byKey = Object.fromEntries(rows.map((r) => [r.tags['key']!, { tags: r.tags, timestampMs: r.timestampMs, doc: JSON.parse(String(r.fields['doc'])) as unknown }]));
      expect(byKey).toEqual({
        [key]: { tags: { enterprise, key }, timestampMs: 0, doc: record },
        meta: { tags: { enterprise, key: 'meta' }, timestampMs: 0, doc: progress },
      });
      expect(await loadAlerts(store(), enterprise, noUnreadable)).toEqual({ progress, records: new Map([[record.alert.dedupKey, record]]) });
      expect(await loadProgress(store(), enterprise, noUnreadable)).toEqual(progress);
      expect(await loadProgress(store(), uniqueId('ent'), noUnreadable)).toBeUndefined();
    });

    it('a record written again replaces the stored one (a current value)', async () => {
      const enterprise = uniqueId('ent');
      const firing: AlertRecord = { alert: alertOf(enterprise, 'p1'), asOfMs: T0 };
      const resolved: AlertRecord = { alert: alertOf(enterprise, 'p1', { status: 'resolved', endsAt: new Date(T0 + 600_000).toISOString() }), asOfMs: T0 + 600_000 };
      await store().write([alertStatePoint(firing)]);
      await store().write([alertStatePoint(resolved)]);
      expect([...(await loadAlerts(store(), enterprise, noUnreadable)).records.values()]).toEqual([resolved]);
    });

    it('a progress saved before revisions reads with an empty revision', async () => {
      const enterprise = uniqueId('ent');
      await store().write([{ measurement: 'alerter_state', tags: { enterprise, key: 'meta' }, fields: { doc: '{"lastTickMs":5,"watchingSinceMs":1}' }, timestampMs: 0 }]);
      expect(await loadProgress(store(), enterprise, noUnreadable)).toEqual({ lastTickMs: 5, watchingSinceMs: 1, revision: '' });
    });

    it('reports each row that does not read, with its reason, and reads the others', async () => {
      const enterprise = uniqueId('ent');
      const good: AlertRecord = { alert: alertOf(enterprise, 'p2'), asOfMs: T0 };
      const row = (key: string, doc: string) => ({ measurement: 'alerter_state', tags: { enterprise, key }, fields: { doc }, timestampMs: 0 });
      await store().write([
        alertStatePoint(good),
        row('not-json', '{'),
        row('no-alert', JSON.stringify({ alert: { ...alertOf(enterprise, 'p4'), alertId: 1 }, asOfMs: T0 })),
        row('no-as-of', JSON.stringify({ alert: alertOf(enterprise, 'p3') })),
        row('an-array', '[1]'),
        row('meta', '{"lastTickMs":"soon"}'),
      ]);
      const reported: UnreadableRow[] = [];
      const loaded = await loadAlerts(store(), enterprise, (r) => reported.push(r));
      expect([...loaded.records.values()]).toEqual([good]);
      expect(loaded.progress).toBeUndefined();
      expect(reported.map((r) => [r.measurement, r.tags['key'], r.reason]).sort()).toEqual(
        [
          ['alerter_state', 'an-array', 'its `doc` is not a JSON object'],
          ['alerter_state', 'meta', 'its progress lacks lastTickMs or watchingSinceMs'],
          ['alerter_state', 'no-alert', 'its alert is no alert v1: /alertId must be string'],
          ['alerter_state', 'no-as-of', 'its record lacks asOfMs'],
          ['alerter_state', 'not-json', 'its `doc` is not JSON: SyntaxError'],
        ].sort(),
      );
    });
  });
}
