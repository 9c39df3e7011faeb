import { describe, expect, it } from 'vitest';
import { InMemoryBus, type BusConsumer } from '@meterline/bus';
import { deadLetterCodec, decodeOrThrow, type ReadingMessageV1 } from '@meterline/contracts';
import { READING_FIELDS, READING_TAGS, READINGS_MEASUREMENT, readLandedMarks } from '@meterline/series';
import { createLogger, createMetricsRegistry } from '@meterline/service-kit';
import { InMemoryStore, StoreError, type SeriesPoint } from '@meterline/store';
import { createWriterApp } from '../src/app.ts';
import { readingMessage } from './reading-fixture.ts';

const T0 = Date.UTC(2026, 2, 1);

const reading = (point: string, i: number): ReadingMessageV1 =>
  readingMessage(point, T0 + i * 900_000, 100 + i, { readingId: `dev-1:${i}:0`, seq: i });

/** Our own store interface, refusing one metering point for good, as InfluxDB refuses a field-type conflict. */
class RefusingStore extends InMemoryStore {
  override async write(points: SeriesPoint[]): Promise<void> {
    if (points.some((p) => p.tags[READING_TAGS.point] === 'mp-poison')) throw new StoreError('MTL_STORE_REJECTED', 'field type conflict');
    await super.write(points);
  }
}

function setup(store = new InMemoryStore(), wrapConsumer = (consumer: BusConsumer) => consumer) {
  const bus = new InMemoryBus();
  const app = createWriterApp({
    consumer: wrapConsumer(bus.consumer({ groupId: 'writer', topics: ['readings'], fromBeginning: true })),
    deadLetterProducer: bus.producer(),
    deadLetterTopic: 'dlq',
    store,
    measurement: READINGS_MEASUREMENT,
    writeChunkPoints: 7,
    retry: { baseMs: 5, maxMs: 20 },
    log: createLogger('writer-test', 'silent'),
    metrics: createMetricsRegistry('writer-test'),
  });
  const consumer = bus.consumer({ groupId: 'writer', topics: ['readings'] });
  const send = (values: Buffer[]) =>
    bus.producer().send('readings', values.map((value, i) => ({ key: `k${i % 3}`, value })));
  const waitForLag0 = async () => {
    while ((await consumer.lag()) > 0) await new Promise((r) => setTimeout(r, 5));
  };
  const stored = () => store.readSeries({ measurement: READINGS_MEASUREMENT, tags: {}, fromMs: 0, toMs: Number.MAX_SAFE_INTEGER });
  return { bus, app, send, waitForLag0, stored, store };
}

const encode = (r: ReadingMessageV1) => Buffer.from(JSON.stringify(r));

describe('writer app', () => {
  it('stores every reading, tagged from the message, and commits', async () => {
    const { app, send, waitForLag0, stored } = setup();
    // The first is an older record, without `verified`; the second was signature-verified by ingest.
    const readings = Array.from({ length: 20 }, (_, i) => ({ ...reading(`mp-${i % 4}`, i), ...(i === 1 ? { verified: true } : {}) }));
    await app.start();
    await send(readings.map(encode));
    await waitForLag0();
    await app.close();
    const rows = await stored();
    expect(rows).toHaveLength(20);
    expect(rows[0]).toEqual({
      measurement: READINGS_MEASUREMENT,
      tags: { enterprise: 'ent-1', site: 'site-1', point: 'mp-0', carrier: 'electricity', quantity: 'active-energy-import', device: 'dev-1' },
      fields: { value: 100 },
      timestampMs: T0,
    });
    expect(rows.find((r) => r.tags[READING_TAGS.point] === 'mp-1' && r.timestampMs === T0 + 900_000)?.fields).toEqual({ [READING_FIELDS.value]: 101, [READING_FIELDS.verified]: true });
  });

  it('marks each enterprise and UTC hour its readings landed in, for the aggregator\'s incremental runs (issue 17)', async () => {
    const { app, send, waitForLag0, store } = setup();
    // 20 quarter-hours from T0 (midnight UTC): five hours, of two enterprises.
    const readings = Array.from({ length: 20 }, (_, i) => ({ ...reading(`mp-${i % 4}`, i), ...(i % 2 === 1 ? { enterpriseId: 'ent-2' } : {}) }));
    const before = Date.now();
    await app.start();
    await send(readings.map(encode));
    await waitForLag0();
    await app.close();
    const marks = await readLandedMarks(store, READINGS_MEASUREMENT, undefined, T0, T0 + 6 * 3_600_000, (row) => expect.fail(row.reason));
    const hours = [0, 1, 2, 3, 4].map((h) => T0 + h * 3_600_000);
    expect(marks.map((m) => `${m.enterpriseId}@${m.hourMs}`).sort()).toEqual([...hours.map((h) => `ent-1@${h}`), ...hours.map((h) => `ent-2@${h}`)].sort());
    for (const mark of marks) expect(mark.landed).toBeGreaterThanOrEqual(before);
  });

  it('holds the batch while the store is down and loses nothing when it returns', async () => {
    const store = new InMemoryStore();
    const { app, send, waitForLag0, stored } = setup(store);
    store.available = false;
    await app.start();
    await send(Array.from({ length: 10 }, (_, i) => encode(reading('mp-1', i))));
    await new Promise((r) => setTimeout(r, 100));
    // Look while it is down: the twin's read runs to its end synchronously, so the writer cannot slip in.
    store.available = true;
    const whileDown = stored();
    store.available = false;
    expect(await whileDown).toHaveLength(0);
    const health = await app.health();
    expect(health.healthy).toBe(false);
    store.available = true;
    await waitForLag0();
    await app.close();
    expect((await stored()).map((p) => p.fields[READING_FIELDS.value])).toEqual(Array.from({ length: 10 }, (_, i) => 100 + i));
  });

  it('says Kafka is not answering when its consumer has heard nothing from the cluster for longer than the limit (issue 18)', async () => {
    // Our own consumer interface, whose last answer from the cluster the test sets.
    let heardAt: number | undefined;
    const { app } = setup(new InMemoryStore(), (inner) => ({ start: (h) => inner.start(h), close: () => inner.close(), lag: () => inner.lag(), lastHeardAt: () => heardAt }));
    await app.start();
    expect(await app.health()).toEqual({ healthy: false, checks: { store: 'ok', writes: 'ok', kafka: 'not yet answered by Kafka (joining the group)' } });
    heardAt = Date.now();
    expect(await app.health()).toEqual({ healthy: true, checks: { store: 'ok', writes: 'ok', kafka: 'ok' } });
    heardAt = Date.now() - 12_000;
    expect(await app.health()).toEqual({ healthy: false, checks: { store: 'ok', writes: 'ok', kafka: 'nothing heard from Kafka for 12 s' } });
    await app.close();
  });

  it('dead-letters an unreadable record and a refused point, storing all the others', async () => {
    const { bus, app, send, waitForLag0, stored } = setup(new RefusingStore());
    await app.start();
    const good = Array.from({ length: 12 }, (_, i) => encode(reading('mp-1', i)));
    await send([...good.slice(0, 5), Buffer.from('{oops'), encode(reading('mp-poison', 99)), ...good.slice(5)]);
    await waitForLag0();
    await app.close();
    expect(await stored()).toHaveLength(12);
    const letters = bus.messagesOf('dlq').map((m) => decodeOrThrow(deadLetterCodec, m.value));
    expect(letters.map((l) => l.reason).sort()).toEqual(['READING_UNREADABLE', 'STORE_REJECTED']);
    const rejected = letters.find((l) => l.reason === 'STORE_REJECTED')!;
    expect((JSON.parse(Buffer.from(rejected.original.excerptBase64, 'base64').toString()) as { pointId?: unknown }).pointId).toBe('mp-poison');
    expect(rejected.original.truncated).toBe(false);
    expect(rejected.stage).toBe('writer');
  });
});
