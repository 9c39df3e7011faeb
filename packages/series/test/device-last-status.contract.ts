import { describe, expect, it } from 'vitest';
import { loadDeviceStates, recordDeviceStates, type UnreadableRow } from '../src/index.ts';
import { suiteStore, uniqueId, type MakeSeriesStore } from './series-store-under-test.ts';

const T0 = Date.UTC(2026, 2, 2, 1, 0, 0);
const fail = (row: UnreadableRow) => expect.fail(row.reason);

export function deviceLastStatusContract(name: string, make: MakeSeriesStore): void {
  describe(`device last-status series: ${name}`, () => {
    const store = suiteStore(make);

    it('stores each device’s last status at timestamp 0 and reads the enterprise’s back; a later one replaces it', async () => {
      const enterprise = uniqueId('ent');
      await recordDeviceStates(store(), [
        { enterpriseId: enterprise, deviceId: 'gw-1', state: 'online', atMs: T0, text: 'online' },
        { enterpriseId: enterprise, deviceId: 'gw-2', state: 'unknown', atMs: T0 + 1_000, text: '{"status":"sleepy"}' },
      ]);
      await recordDeviceStates(store(), [{ enterpriseId: enterprise, deviceId: 'gw-1', state: 'offline', atMs: T0 + 2_000, text: 'offline' }]);
      const rows = await store().readSeries({ measurement: 'alerter_device', tags: { enterprise, device: 'gw-1' }, fromMs: 0, toMs: 1 });
      expect(rows).toEqual([{ measurement: 'alerter_device', tags: { enterprise, device: 'gw-1' }, fields: { state: 'offline', at_ms: T0 + 2_000, text: 'offline' }, timestampMs: 0 }]);
      expect(await loadDeviceStates(store(), enterprise, fail)).toEqual(
        new Map([
          ['gw-1', { state: 'offline', atMs: T0 + 2_000 }],
          ['gw-2', { state: 'unknown', atMs: T0 + 1_000 }],
        ]),
      );
      await recordDeviceStates(store(), []);
      expect(await loadDeviceStates(store(), uniqueId('ent'), fail)).toEqual(new Map());
    });

    it('reports a row with a state it does not know, or without its instant, and reads the others', async () => {
      const enterprise = uniqueId('ent');
      await recordDeviceStates(store(), [{ enterpriseId: enterprise, deviceId: 'gw-1', state: 'online', atMs: T0, text: 'online' }]);
      await store().write([
        { measurement: 'alerter_device', tags: { enterprise, device: 'gw-2' }, fields: { state: 'asleep', at_ms: T0, text: 'zzz' }, timestampMs: 0 },
        { measurement: 'alerter_device', tags: { enterprise, device: 'gw-3' }, fields: { state: 'online', text: 'online' }, timestampMs: 0 },
      ]);
      const reported: UnreadableRow[] = [];
      expect(await loadDeviceStates(store(), enterprise, (r) => reported.push(r))).toEqual(new Map([['gw-1', { state: 'online', atMs: T0 }]]));
      expect(reported.map((r) => [r.tags['device'], r.reason]).sort()).toEqual([
        ['gw-2', 'its `state` is "asleep", not one of online, offline, unknown'],
        ['gw-3', 'lacks `at_ms` (or holds another type)'],
      ]);
    });
  });
}
