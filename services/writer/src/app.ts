import type { BusConsumer, BusProducer, ConsumedBatch, ConsumedMessage } from '@meterline/bus';
import { boundedDetail, deadLetterCodec, decodeReadingRecord, describeOriginal, type DeadLetterReason, type DeadLetterV2, type ReadingConflict, type ReadingMessageV1 } from '@meterline/contracts';
import { kafkaConsumerCheck, type HealthReport, type Logger, type Registry } from '@meterline/service-kit';
import { landedMarks, readingPoint } from '@meterline/series';
import { StoreError, type SeriesPoint, type TimeSeriesStore } from '@meterline/store';
import { untilStored, type BatchHold } from './batch-hold.ts';
import type { FigureCopier } from './figure-copier.ts';
import { createFirstValueGuard, type StandingValue } from './first-value-guard.ts';
import { createWriterMetrics } from './metrics.ts';
import { createWriteCoalescer } from './write-coalescer.ts';

export interface WriterAppDeps {
  consumer: BusConsumer;
  /** For records InfluxDB refuses or nobody can read: they go to the dead-letter topic, not away. */
  deadLetterProducer: BusProducer;
  deadLetterTopic: string;
  store: TimeSeriesStore;
  measurement: string;
  writeChunkPoints: number;
  retry: { baseMs: number; maxMs: number };
  log: Logger;
  metrics: Registry;
  lagPollMs?: number;
  /** On a replica's writers: the figures and restatements copied from Kafka as well (ADR 0010). */
  figureCopier?: FigureCopier;
}

export interface WriterApp {
  start(): Promise<void>;
  close(): Promise<void>;
  health(): Promise<HealthReport>;
}

interface Decoded {
  message: ConsumedMessage;
  reading: ReadingMessageV1;
  point: SeriesPoint;
}

interface Refusal {
  message: ConsumedMessage;
  /** The refused reading, when the record holds more than it (readings v2): its own bytes are the dead letter's original. */
  reading?: ReadingMessageV1;
  reason: DeadLetterReason;
  detail: string;
  conflict?: ReadingConflict;
}

function conflictRefusal({ message, reading }: Decoded, standing: StandingValue): Refusal {
  const where = standing.from === 'stored' ? 'stored' : 'earlier in the same batch';
  const by = standing.deviceId === undefined ? '' : ` from device ${standing.deviceId}`;
  return {
    message,
    reading,
    reason: 'READING_CONFLICT',
    detail: `point ${reading.pointId} at ${new Date(reading.tsMs).toISOString()} already has ${standing.value} ${reading.unit} (${where}${by}); ${reading.value} ${reading.unit} from device ${reading.deviceId} refused: the first value stands`,
    conflict: {
      pointId: reading.pointId,
      tsMs: reading.tsMs,
      unit: reading.unit,
      standingValue: standing.value,
      ...(standing.deviceId === undefined ? {} : { standingDeviceId: standing.deviceId }),
      standingFrom: standing.from,
      refusedValue: reading.value,
      refusedDeviceId: reading.deviceId,
    },
  };
}

/**
 * Kafka readings to the store. A batch is committed only when every reading in it is
 * stored or dead-lettered: while the store is down the handler keeps retrying (the
 * consumer fetches nothing more, so memory stays bounded); a point the store refuses
 * for good is isolated by halving the request, and only that point is dead-lettered.
 */
export function createWriterApp(deps: WriterAppDeps): WriterApp {
  const metrics = createWriterMetrics(deps.metrics);
  const coalescer = createWriteCoalescer(deps.store, deps.writeChunkPoints);
  const stopping = new AbortController();
  let storeDownSince: number | undefined;
  let lagTimer: NodeJS.Timeout | undefined;

  // A row of the readings measurement that holds no reading (written by something else) stands for no value.
  const guard = createFirstValueGuard(deps.store, deps.measurement, (row) => deps.log.warn({ ...row }, 'a stored row is unreadable: left out'));

  const deadLetter = async (batch: ConsumedBatch, items: Refusal[]) => {
    if (items.length === 0) return;
    const now = new Date().toISOString();
    await deps.deadLetterProducer.send(
      deps.deadLetterTopic,
      items.map(({ message, reading, reason, detail, conflict }) => {
        const letter: DeadLetterV2 = {
          v: 2,
          stage: 'writer',
          reason,
          detail: boundedDetail(detail),
          source: `${batch.topic}/${batch.partition}/${message.offset}`,
          ...(conflict === undefined ? {} : { conflict }),
          receivedAt: now,
          original: describeOriginal(reading === undefined ? message.value : Buffer.from(JSON.stringify(reading))),
        };
        metrics.deadLetters.inc({ reason });
        deps.log.warn({ reason, detail, source: letter.source }, 'dead-lettered');
        return deadLetterCodec.encode(letter, message.key);
      }),
    );
  };

  /** Holds the batch through a store outage, as untilStored does; `operation` names what waits in the log. */
  const hold = (batch: ConsumedBatch, operation: 'write' | 'lookup', size: Record<string, number>, waitOut: (e: StoreError) => boolean): BatchHold => ({
    batch,
    stopping: stopping.signal,
    retry: deps.retry,
    waitOut,
    onWaiting: (error, attempt) => {
      metrics.writeFailures.inc({ retryable: String(error.canRetry), operation });
      storeDownSince ??= Date.now();
      const what = operation === 'write' ? 'store unavailable; holding the batch and retrying' : 'could not look up stored values; holding the batch and retrying';
      deps.log.warn({ err: error, attempt, ...size }, what);
    },
  });

  /** Writes until the store accepts or refuses for good; gives up only when the batch is no longer ours. */
  const writeWithRetry = async (batch: ConsumedBatch, points: SeriesPoint[]): Promise<StoreError | undefined> => {
    let started = 0;
    const attempt = () => {
      started = performance.now();
      return coalescer.write(points);
    };
    try {
      await untilStored(attempt, hold(batch, 'write', { points: points.length }, (e) => e.canRetry));
    } catch (error) {
      if (!(error instanceof StoreError)) throw error;
      metrics.writeFailures.inc({ retryable: 'false', operation: 'write' });
      return error;
    }
    metrics.writeSeconds.observe((performance.now() - started) / 1000);
    storeDownSince = undefined;
    return undefined;
  };

  /** Asks the guard until the store answers: without its answer nothing can be written safely. */
  const judgeWithRetry = async (batch: ConsumedBatch, items: Decoded[]) => {
    const verdicts = await untilStored(() => guard.judge(batch.partition, batch.messages[0]!.offset, items), hold(batch, 'lookup', { readings: items.length }, () => true));
    storeDownSince = undefined;
    return verdicts;
  };

  /**
   * Writes a chunk; on a refusal, halves it until the refused points are found. The chunk's
   * landing marks (one per enterprise and UTC hour) go in the same request as its readings, so
   * the aggregator never sees a mark before the readings it announces.
   */
  const writeIsolatingRefusals = async (batch: ConsumedBatch, items: Decoded[]): Promise<{ item: Decoded; error: StoreError }[]> => {
    const marks = landedMarks(deps.measurement, items.map((i) => i.reading), Date.now());
    const refusal = await writeWithRetry(batch, [...items.map((i) => i.point), ...marks]);
    if (!refusal) return [];
    if (items.length === 1) return [{ item: items[0]!, error: refusal }];
    const middle = Math.ceil(items.length / 2);
    return [
      ...(await writeIsolatingRefusals(batch, items.slice(0, middle))),
      ...(await writeIsolatingRefusals(batch, items.slice(middle))),
    ];
  };

  const handleBatch = async (batch: ConsumedBatch): Promise<void> => {
    if (batch.messages.length === 0) return;
    const decoded: Decoded[] = [];
    const unreadable: Refusal[] = [];
    for (const message of batch.messages) {
      const result = decodeReadingRecord(message.value);
      if (!result.ok) unreadable.push({ message, reason: 'READING_UNREADABLE', detail: result.detail });
      else for (const reading of result.value) decoded.push({ message, reading, point: readingPoint(deps.measurement, reading) });
    }
    const { fresh, repeats, conflicts } = await judgeWithRetry(batch, decoded);
    const refused: Refusal[] = conflicts.map(({ item, standing }) => conflictRefusal(item, standing));
    const written: ReadingMessageV1[] = [];
    for (let i = 0; i < fresh.length; i += deps.writeChunkPoints) {
      const chunk = fresh.slice(i, i + deps.writeChunkPoints);
      const storeRefused = new Set<Decoded>();
      for (const { item, error } of await writeIsolatingRefusals(batch, chunk)) {
        storeRefused.add(item);
        refused.push({ message: item.message, reading: item.reading, reason: 'STORE_REJECTED', detail: error.message });
      }
      const now = Date.now();
      for (const item of chunk) {
        metrics.endToEnd.observe((now - Date.parse(item.reading.receivedAt)) / 1000);
        if (!storeRefused.has(item)) written.push(item.reading);
      }
    }
    await deadLetter(batch, [...unreadable, ...refused]);
    guard.settled(batch.partition, batch.messages.at(-1)!.offset, written);
    metrics.written.inc(written.length);
    metrics.repeats.inc(repeats.length);
  };

  return {
    start: async () => {
      await deps.consumer.start(handleBatch);
      await deps.figureCopier?.start();
      const pollLag = () => {
        deps.consumer.lag().then(
          (lag) => metrics.lag.set(lag),
          (error: unknown) => deps.log.warn({ err: error }, 'could not read consumer lag'),
        );
      };
      lagTimer = setInterval(pollLag, deps.lagPollMs ?? 10_000);
      lagTimer.unref();
    },
    close: async () => {
      stopping.abort();
      clearInterval(lagTimer);
      await Promise.all([deps.consumer.close(), deps.figureCopier?.close()]);
      await deps.deadLetterProducer.close();
      await deps.store.close();
    },
    health: async () => {
      const storeUp = await deps.store.ping();
      const now = Date.now();
      const checks: Record<string, string> = {
        store: storeUp ? 'ok' : 'down',
        writes: storeDownSince === undefined ? 'ok' : `failing for ${Math.round((now - storeDownSince) / 1000)} s`,
        kafka: kafkaConsumerCheck(deps.consumer.lastHeardAt(), now),
        ...deps.figureCopier?.checks(now),
      };
      return { healthy: Object.values(checks).every((check) => check === 'ok'), checks };
    },
  };
}
