import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { alertHistoryPoint, alertOfHistoryRow, loadAlerts, saveAlerts, type AlertRecord, type UnreadableRow } from '../src/index.ts';
import { alertOf } from './alert-state.contract.ts';
import { suiteStore, uniqueId, type MakeSeriesStore } from './series-store-under-test.ts';

const T0 = Date.UTC(2026, 2, 2, 1, 0, 0);
const history = (enterprise: string) => ({ measurement: 'alert', tags: { enterprise }, fromMs: T0 - 86_400_000, toMs: T0 + 86_400_000 });

export function alertHistoryContract(name: string, make: MakeSeriesStore): void {
  describe(`alert history series: ${name}`, () => {
    const store = suiteStore(make);

    it('stores an episode at its start, tagged enterprise, key and rule, and reads it back as the alert', async () => {
      const enterprise = uniqueId('ent');
      const alert = alertOf(enterprise, 'p1', { status: 'resolved', endsAt: new Date(T0 + 1_800_000).toISOString() });
      await store().write([alertHistoryPoint(alert)]);
      const rows = await store().readSeries(history(enterprise));
      const key = createHash('sha256').update(`${enterprise}/meter-offline/point=p1`).digest('hex').slice(0, 20);
      expect(rows).toEqual([
        {
          measurement: 'alert',
          tags: { enterprise, key, rule: 'meter-offline' },
          fields: {
            alert_id: `a-${enterprise}-p1`,
            dedup_key: `${enterprise}/meter-offline/point=p1`,
            status: 'resolved',
            severity: 'critical',
            summary: 'p1 silent for 45 min',
            subject: '{"point":"p1"}',
            value: 45,
            threshold: 30,
            unit: 'min',
            ends_at_ms: T0 + 1_800_000,
          },
          timestampMs: T0,
        },
      ]);
      expect(rows.map(alertOfHistoryRow)).toEqual([{ ok: true, value: alert }]);
    });

    it('an alert without value, threshold and unit reads back without them', async () => {
      const enterprise = uniqueId('ent');
      const { value: _v, threshold: _t, unit: _u, ...bare } = alertOf(enterprise, 'p1', { rule: 'calibration-expired', dedupKey: `${enterprise}/calibration-expired/point=p1` });
      await store().write([alertHistoryPoint(bare)]);
      expect((await store().readSeries(history(enterprise))).map(alertOfHistoryRow)).toEqual([{ ok: true, value: bare }]);
    });

    it('saveAlerts writes the progress, each record and its episode in one write', async () => {
      const enterprise = uniqueId('ent');
      const records: AlertRecord[] = [
        { alert: alertOf(enterprise, 'p1'), asOfMs: T0 },
        { alert: alertOf(enterprise, 'p2', { startsAt: new Date(T0 + 60_000).toISOString() }), asOfMs: T0 + 60_000 },
      ];
      const progress = { lastTickMs: T0 + 60_000, watchingSinceMs: T0, revision: 'r-2' };
      await saveAlerts(store(), enterprise, records, progress);
      const fail = (row: UnreadableRow) => expect.fail(row.reason);
      expect(await loadAlerts(store(), enterprise, fail)).toEqual({ progress, records: new Map(records.map((r) => [r.alert.dedupKey, r])) });
      const episodes = (await store().readSeries(history(enterprise))).map(alertOfHistoryRow);
      expect(episodes).toEqual(records.map((r) => ({ ok: true, value: r.alert })));
    });

    it('a row with an unreadable subject still reads, with an empty subject; a row that is no alert gives its reason', async () => {
      const enterprise = uniqueId('ent');
      const row = (minute: number, fields: Record<string, string | number>) => ({ measurement: 'alert', tags: { enterprise, key: `k${minute}`, rule: 'meter-offline' }, fields, timestampMs: T0 + minute * 60_000 });
      const complete = { alert_id: 'a1', dedup_key: 'd1', status: 'firing', severity: 'warning', summary: 's' };
      await store().write([
        row(0, { ...complete, subject: 'not json' }),
        row(1, { ...complete, alert_id: 'a2', severity: 'dire', subject: '{}' }),
        row(2, { dedup_key: 'd3', status: 'firing', summary: 's', subject: '{}' }),
      ]);
      const read = (await store().readSeries(history(enterprise))).map(alertOfHistoryRow);
      expect(read[0]).toEqual({
        ok: true,
        value: { alertId: 'a1', dedupKey: 'd1', enterpriseId: enterprise, rule: 'meter-offline', severity: 'warning', subject: {}, status: 'firing', startsAt: new Date(T0).toISOString(), summary: 's' },
      });
      expect(read[1]).toMatchObject({ ok: false, reason: expect.stringMatching(/^holds no alert v1: \/severity /) as unknown });
      expect(read[2]).toEqual({ ok: false, reason: 'lacks `alert_id`, `severity` (or holds another type)' });
    });
  });
}
