import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { ConsumedBatch } from '@meterline/bus';
import { deviceSequenceCodec, type DeviceSequenceV1 } from '@meterline/contracts';
import { readSequenceCounts, readSequenceEvents } from '@meterline/series';
import { createLogger, createMetricsRegistry } from '@meterline/service-kit';
import { InMemoryStore } from '@meterline/store';
import { createAlerterMetrics } from '../src/metrics.ts';
import { createSequenceObserver } from '../src/sequence-observer.ts';

const T0 = Date.parse('2026-11-30T08:00:00Z');
const sha = (text: string) => createHash('sha256').update(text).digest('hex');

function record(deviceId: string, seq: number, bytes = `${deviceId}/${seq}`, atMs = T0 + seq * 1_000): DeviceSequenceV1 {
  return { v: 1, deviceId, enterpriseId: 'e1', seq, sha256: sha(bytes), outcome: 'admitted', receivedAt: new Date(atMs).toISOString(), receivedMs: atMs };
}

/** A batch of the topic's partition 0 from `firstOffset` on. */
function batch(firstOffset: number, values: (DeviceSequenceV1 | string)[]): ConsumedBatch {
  return {
    topic: 'device-sequence',
    partition: 0,
    messages: values.map((v, i) => ({ key: null, value: Buffer.from(typeof v === 'string' ? v : deviceSequenceCodec.encode(v, v.deviceId).value), offset: String(firstOffset + i), timestamp: 0 })),
    heartbeat: () => Promise.resolve(),
    isActive: () => true,
  };
}

function observer(store: InMemoryStore) {
  const registry = createMetricsRegistry('alerter-test');
  const metrics = createAlerterMetrics(registry);
  const handle = createSequenceObserver({ store, log: createLogger('alerter-test', 'silent'), metrics });
  const counted = async (kind: string) => (await metrics.sequenceEvents.get()).values.find((v) => v.labels.kind === kind)?.value ?? 0;
  return { handle, metrics, counted };
}

describe('sequence observer', () => {
  it('stores each device’s counts and its anomalies, and counts every kind in the metric', async () => {
    const store = new InMemoryStore();
    const { handle, metrics, counted } = observer(store);
    await handle(batch(0, [record('d1', 1), record('d1', 2), record('d2', 10), record('d1', 5), record('d1', 5), record('d1', 5, 'other bytes', T0 + 6_000)]));
    const counts = await readSequenceCounts(store, 'e1', (row) => expect.fail(row.reason));
    expect(counts.map((c) => [c.deviceId, c.messages, c.gaps, c.lost, c.duplicates, c.replays, c.missing])).toEqual([
      ['d1', 5, 1, 2, 1, 1, 2],
      ['d2', 1, 0, 0, 0, 0, 0],
    ]);
    const events = await readSequenceEvents(store, { enterpriseId: 'e1', fromMs: 0, toMs: T0 + 60_000 }, (row) => expect.fail(row.reason));
    expect(events.map((e) => [e.deviceId, e.kind, e.seq, e.atMs - T0])).toEqual([
      ['d1', 'gap', 5, 5_000],
      ['d1', 'replay', 5, 6_000],
    ]);
    expect([await counted('first'), await counted('in-order'), await counted('gap'), await counted('duplicate'), await counted('replay')]).toEqual([2, 1, 1, 1, 1]);
    expect((await metrics.sequenceLost.get()).values[0]?.value).toBe(2);
  });

  it('goes on from the stored state in a new instance (a restart, or the device moved between instances)', async () => {
    const store = new InMemoryStore();
    await observer(store).handle(batch(0, [record('d1', 1), record('d1', 2)]));
    const next = observer(store);
    await next.handle(batch(2, [record('d1', 2), record('d1', 3), record('d1', 2, 'forged')]));
    expect([await next.counted('first'), await next.counted('duplicate'), await next.counted('in-order'), await next.counted('replay')]).toEqual([0, 1, 1, 1]);
    expect((await readSequenceCounts(store, 'e1', (row) => expect.fail(row.reason)))[0]).toMatchObject({ messages: 5, duplicates: 1, replays: 1, lastSeq: 2 });
  });

  it('a batch delivered again after its state was stored is not counted twice', async () => {
    const store = new InMemoryStore();
    const records = [record('d1', 1), record('d1', 3)];
    await observer(store).handle(batch(0, records));
    const again = observer(store);
    await again.handle(batch(0, [...records, record('d1', 4)]));
    expect((await readSequenceCounts(store, 'e1', (row) => expect.fail(row.reason)))[0]).toMatchObject({ messages: 3, gaps: 1, lost: 1, duplicates: 0 });
    expect([await again.counted('gap'), await again.counted('in-order')]).toEqual([0, 1]);
  });

  it('skips an unreadable record, counted as such, and judges the others', async () => {
    const store = new InMemoryStore();
    const { handle, metrics } = observer(store);
    await handle(batch(0, ['{"v":1,"deviceId":"d1"}', 'not json', record('d1', 1)]));
    expect((await metrics.unreadable.get()).values).toEqual([{ labels: { topic: 'device-sequence' }, value: 2 }]);
    expect((await readSequenceCounts(store, 'e1', (row) => expect.fail(row.reason))).map((c) => c.messages)).toEqual([1]);
  });

  it('a store that refuses the write fails the batch, and nothing is counted', async () => {
    const store = new InMemoryStore();
    const { handle, counted } = observer(store);
    store.available = false;
    await expect(handle(batch(0, [record('d1', 1)]))).rejects.toMatchObject({ code: 'MTL_STORE_UNAVAILABLE' });
    expect(await counted('first')).toBe(0);
  });
});
