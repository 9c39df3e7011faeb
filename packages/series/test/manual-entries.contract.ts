import { describe, expect, it } from 'vitest';
import type { ManualEntry } from '@meterline/domain';
import { MANUAL_ENTRIES, manualEntryOf, manualEntryPoint, readManualEntries, writeManualEntries, type UnreadableRow } from '../src/index.ts';
import { storePerTest, type MakeSeriesStore } from './series-store-under-test.ts';

const delivery: ManualEntry = {
  id: 'me-0001',
  enterpriseId: 'ent-1',
  kind: 'fuel-delivery',
  period: '2026-03-17',
  site: 's1',
  carrier: 'diesel',
  value: 20.125,
  unit: 't',
  errorPercent: 0.5,
  document: 'DN-0317 (weighbridge ticket 88231)',
  enteredBy: 'a-energy-manager',
  enteredAt: '2026-03-18T09:15:00.000Z',
};
const stock: ManualEntry = {
  id: 'me-0002',
  enterpriseId: 'ent-1',
  kind: 'fuel-stock',
  period: '2026-03',
  carrier: 'diesel',
  value: 9500,
  unit: 'kg',
  document: 'stock-take 2026-03',
  enteredBy: 'a-energy-manager',
  // The same millisecond as the correction below: still two entries.
  enteredAt: '2026-04-01T01:00:00.000Z',
};
const correction: ManualEntry = {
  ...stock,
  id: 'me-0003',
  value: 11500,
  corrects: 'me-0002',
  reason: 'dip misread: 9 500 kg was tank 2',
  enteredBy: 'ops-admin',
};
const production: ManualEntry = {
  id: 'me-0004',
  enterpriseId: 'ent-2',
  kind: 'production',
  period: '2026-03',
  product: 'cloth',
  value: 1200,
  unit: 'm2',
  document: 'production report 2026-03',
  enteredBy: 'b-energy-manager',
  enteredAt: '2026-04-02T08:00:00.000Z',
};

export function manualEntriesContract(name: string, open: MakeSeriesStore): void {
  describe(`manual entries series: ${name}`, () => {
    const fresh = storePerTest(open);
    const unreadable: UnreadableRow[] = [];
    const onUnreadable = (row: UnreadableRow) => void unreadable.push(row);

    it('reads back every entry of an enterprise as written, oldest first, corrections beside what they correct', async () => {
      const store = await fresh();
      await writeManualEntries(store, [correction, production, stock, delivery]);
      expect(await readManualEntries(store, 'ent-1', onUnreadable)).toEqual([delivery, stock, correction]);
      expect(await readManualEntries(store, 'ent-2', onUnreadable)).toEqual([production]);
      expect(await readManualEntries(store, 'ent-3', onUnreadable)).toEqual([]);
      expect(unreadable).toEqual([]);
    });

    it('rewrites an entry written twice instead of adding it again', async () => {
      const store = await fresh();
      await writeManualEntries(store, [delivery]);
      await writeManualEntries(store, [delivery]);
      expect(await readManualEntries(store, 'ent-1', onUnreadable)).toEqual([delivery]);
    });

    it('says why a row is no entry, and leaves it out of the read', async () => {
      const store = await fresh();
      const point = manualEntryPoint(delivery);
      const { [MANUAL_ENTRIES.fields.document]: _dropped, ...fields } = point.fields;
      expect(manualEntryOf({ ...point, fields })).toEqual({ ok: false, reason: `lacks \`${MANUAL_ENTRIES.fields.document}\` (or holds another type)` });
      expect(manualEntryOf({ ...point, tags: { ...point.tags, [MANUAL_ENTRIES.tags.kind]: 'coal-heap' } })).toEqual({ ok: false, reason: `its \`${MANUAL_ENTRIES.tags.kind}\` tag is "coal-heap", not one of fuel-delivery, fuel-stock, production, output-value, value-added, outdoor-temperature` });
      await store.write([{ ...point, tags: { ...point.tags, [MANUAL_ENTRIES.tags.entry]: 'me-broken' }, fields }]);
      await writeManualEntries(store, [stock]);
      const seen: UnreadableRow[] = [];
      expect(await readManualEntries(store, 'ent-1', (row) => void seen.push(row))).toEqual([stock]);
      expect(seen.map((r) => [r.tags[MANUAL_ENTRIES.tags.entry], r.reason])).toEqual([['me-broken', `lacks \`${MANUAL_ENTRIES.fields.document}\` (or holds another type)`]]);
    });
  });
}
