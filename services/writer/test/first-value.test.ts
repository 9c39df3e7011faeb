import { describe, expect, it } from 'vitest';
import { InMemoryBus } from '@meterline/bus';
import { deadLetterCodec, decodeOrThrow, encodeReadingRecords, type ReadingMessageV1 } from '@meterline/contracts';
import { READING_FIELDS, READING_TAGS, READINGS_MEASUREMENT, readingPoint, type UnreadableRow } from '@meterline/series';
import { createLogger, createMetricsRegistry } from '@meterline/service-kit';
import { InMemoryStore } from '@meterline/store';
import { createWriterApp } from '../src/app.ts';
import { createFirstValueGuard } from '../src/first-value-guard.ts';
import { readingMessage } from './reading-fixture.ts';

const fail = (row: UnreadableRow) => expect.fail(`${row.measurement} row unreadable: ${row.reason}`);

// Issue 13, defect 4: a second, different value for a stored (point, instant) overwrote the first.

const T0 = Date.UTC(2026, 2, 1, 8);

const reading = readingMessage;

const encode = (r: ReadingMessageV1) => Buffer.from(JSON.stringify(r));

/** A writer on the in-memory bus and the given store; `restart` makes a new instance over the same bus and store. */
function pipeline(store = new InMemoryStore()) {
  const bus = new InMemoryBus();
  let metrics = createMetricsRegistry('writer-test');
  const makeApp = () =>
    createWriterApp({
      consumer: bus.consumer({ groupId: 'writer', topics: ['readings'], fromBeginning: true }),
      deadLetterProducer: bus.producer(),
      deadLetterTopic: 'dlq',
      store,
      measurement: READINGS_MEASUREMENT,
      writeChunkPoints: 3,
      retry: { baseMs: 5, maxMs: 20 },
      log: createLogger('writer-test', 'silent'),
      metrics,
    });
  let app = makeApp();
  const probe = bus.consumer({ groupId: 'writer', topics: ['readings'] });
  return {
    store,
    start: () => app.start(),
    restart: async () => {
      await app.close();
      metrics = createMetricsRegistry('writer-test');
      app = makeApp();
      await app.start();
    },
    close: () => app.close(),
    send: (readings: ReadingMessageV1[]) => bus.producer().send('readings', readings.map((r) => ({ key: r.pointId, value: encode(r) }))),
    /** As ingest sends them since issue 17: a payload's readings, one v2 record per partition. */
    sendPayload: async (readings: ReadingMessageV1[]) => bus.producer().send('readings', encodeReadingRecords(readings, (await bus.keyPartitioner('readings')).partitionOf)),
    drained: async () => {
      while ((await probe.lag()) > 0) await new Promise((r) => setTimeout(r, 5));
    },
    stored: async () =>
      (await store.readSeries({ measurement: READINGS_MEASUREMENT, tags: {}, fromMs: 0, toMs: Number.MAX_SAFE_INTEGER })).map((p) => [p.tags[READING_TAGS.point], p.timestampMs, p.fields[READING_FIELDS.value]]),
    letters: () => bus.messagesOf('dlq').map((m) => decodeOrThrow(deadLetterCodec, m.value)),
    counter: async (name: string) => (await metrics.getSingleMetric(name)?.get())?.values.reduce((sum, v) => sum + v.value, 0) ?? 0,
  };
}

describe('writer: the first value stands (issue 13, defect 4)', () => {
  it('dead-letters a different later value for a stored instant, carrying both values, and keeps the stored one', async () => {
    const p = pipeline();
    await p.start();
    await p.send([reading('mp-1', T0, 10)]);
    await p.drained();
    await p.send([reading('mp-1', T0, 99, { deviceId: 'dev-evil' }), reading('mp-1', T0 + 60_000, 11)]);
    await p.drained();
    await p.close();
    expect(await p.stored()).toEqual([
      ['mp-1', T0, 10],
      ['mp-1', T0 + 60_000, 11],
    ]);
    const [letter, ...others] = p.letters();
    expect(others).toEqual([]);
    expect(letter).toMatchObject({
      stage: 'writer',
      reason: 'READING_CONFLICT',
      conflict: { pointId: 'mp-1', tsMs: T0, unit: 'kWh', standingValue: 10, standingDeviceId: 'dev-1', standingFrom: 'stored', refusedValue: 99, refusedDeviceId: 'dev-evil' },
    });
    expect((JSON.parse(Buffer.from(letter!.original.excerptBase64, 'base64').toString()) as { value?: unknown }).value).toBe(99);
  });

  it('in a record holding a payload\'s readings (v2), refuses only the conflicting reading, with that reading as the original (issue 17)', async () => {
    const p = pipeline();
    await p.start();
    await p.send([reading('mp-1', T0, 10)]);
    await p.drained();
    const ofPayload = (index: number) => ({ deviceId: 'dev-evil', seq: 4, index, readingId: `dev-evil:4:${index}`, receivedAt: new Date(T0).toISOString() });
    const payload = [reading('mp-1', T0, 99, ofPayload(0)), reading('mp-1', T0 + 60_000, 11, ofPayload(1))];
    await p.sendPayload(payload);
    await p.drained();
    await p.close();
    expect(await p.stored()).toEqual([
      ['mp-1', T0, 10],
      ['mp-1', T0 + 60_000, 11],
    ]);
    const [letter, ...others] = p.letters();
    expect(others).toEqual([]);
    expect(letter).toMatchObject({ reason: 'READING_CONFLICT', conflict: { standingValue: 10, refusedValue: 99, refusedDeviceId: 'dev-evil' } });
    expect(JSON.parse(Buffer.from(letter!.original.excerptBase64, 'base64').toString())).toEqual(payload[0]);
  });

  it('keeps the first of two different values for one instant within one batch', async () => {
    const p = pipeline();
    await p.send([reading('mp-1', T0, 10), reading('mp-2', T0, 5), reading('mp-1', T0, 12)]);
    await p.start();
    await p.drained();
    await p.close();
    expect(await p.stored()).toEqual([
      ['mp-1', T0, 10],
      ['mp-2', T0, 5],
    ]);
    expect(p.letters().map((l) => [l.reason, l.conflict?.standingFrom, l.conflict?.refusedValue])).toEqual([['READING_CONFLICT', 'batch', 12]]);
  });

  it('treats the same instant written with another UTC offset as the same instant', async () => {
    const p = pipeline();
    await p.start();
    await p.send([reading('mp-1', T0, 10, { ts: '2026-03-01T16:00:00+08:00' })]);
    await p.drained();
    await p.send([reading('mp-1', T0, 20, { ts: '2026-03-01T08:00:00Z' })]);
    await p.drained();
    await p.close();
    expect(await p.stored()).toEqual([['mp-1', T0, 10]]);
    expect(p.letters().map((l) => l.reason)).toEqual(['READING_CONFLICT']);
  });

  it('lets an identical repeat pass without a dead letter or a rewrite, and counts it', async () => {
    const p = pipeline();
    await p.start();
    await p.send([reading('mp-1', T0, 10, { quality: 'good' })]);
    await p.drained();
    await p.send([reading('mp-1', T0, 10, { quality: 'uncertain' }), reading('mp-1', T0, 10)]);
    await p.drained();
    await p.close();
    expect(await p.stored()).toEqual([['mp-1', T0, 10]]);
    const rows = await p.store.readSeries({ measurement: READINGS_MEASUREMENT, tags: { [READING_TAGS.point]: 'mp-1' }, fromMs: T0, toMs: T0 + 1 });
    // The first was good, so no quality is stored (issue 17); the repeat's 'uncertain' did not rewrite it.
    expect(rows[0]?.fields).toEqual({ value: 10 });
    expect(p.letters()).toEqual([]);
    expect(await p.counter('meterline_writer_readings_repeated_total')).toBe(2);
    expect(await p.counter('meterline_writer_readings_written_total')).toBe(1);
  });

  it('holds across a restart: a new writer instance knows nothing but the store', async () => {
    const p = pipeline();
    await p.start();
    await p.send([reading('mp-1', T0, 10), reading('mp-1', T0 + 60_000, 11)]);
    await p.drained();
    await p.restart();
    await p.send([reading('mp-1', T0, 50), reading('mp-1', T0 + 60_000, 11), reading('mp-1', T0 + 120_000, 12)]);
    await p.drained();
    await p.close();
    expect((await p.stored()).map(([, , v]) => v)).toEqual([10, 11, 12]);
    expect(p.letters().map((l) => [l.conflict?.standingValue, l.conflict?.refusedValue])).toEqual([[10, 50]]);
  });
});

describe('first-value guard: what it remembers of a partition', () => {
  const items = (...readings: ReadingMessageV1[]) => readings.map((reading) => ({ reading }));

  it('forgets a partition when a batch does not start where its last one ended (another writer had it meanwhile)', async () => {
    const store = new InMemoryStore();
    const guard = createFirstValueGuard(store, READINGS_MEASUREMENT, fail);
    const first = await guard.judge(0, '0', items(reading('mp-1', T0, 1)));
    await store.write(first.fresh.map((i) => readingPoint(READINGS_MEASUREMENT, i.reading)));
    guard.settled(0, '0', [first.fresh[0]!.reading]);
    // Another writer owned partition 0 for offsets 1..4 and stored a later reading of mp-1.
    await store.write([readingPoint(READINGS_MEASUREMENT, reading('mp-1', T0 + 60_000, 2))]);
    const after = await guard.judge(0, '5', items(reading('mp-1', T0 + 60_000, 3)));
    expect(after.fresh).toEqual([]);
    expect(after.conflicts.map((c) => [c.standing.value, c.item.reading.value])).toEqual([[2, 3]]);
  });

  it('asks the store nothing for readings after the newest instant it knows', async () => {
    const store = new InMemoryStore();
    const guard = createFirstValueGuard(store, READINGS_MEASUREMENT, fail);
    const first = await guard.judge(0, '0', items(reading('mp-1', T0, 1)));
    await store.write(first.fresh.map((i) => readingPoint(READINGS_MEASUREMENT, i.reading)));
    guard.settled(0, '0', [first.fresh[0]!.reading]);
    store.available = false;
    const next = await guard.judge(0, '1', items(reading('mp-1', T0 + 60_000, 2), reading('mp-1', T0 + 120_000, 3)));
    expect(next.fresh.map((i) => i.reading.value)).toEqual([2, 3]);
  });
});
