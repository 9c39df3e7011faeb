import type { BusConsumer, ConsumedBatch } from '@meterline/bus';
import { figureBatchCodec, restatementCodec } from '@meterline/contracts';
import { Counter, kafkaConsumerCheck, type Logger, type Registry } from '@meterline/service-kit';
import { figurePoint, restatementPoint } from '@meterline/series';
import { StoreError, type SeriesPoint, type TimeSeriesStore } from '@meterline/store';
import { untilStored } from './batch-hold.ts';

export interface FigureCopierDeps {
  /** Subscribed to the figures and restatements topics, in a consumer group of this replica's own. */
  consumer: BusConsumer;
  topics: { figures: string; restatements: string };
  store: TimeSeriesStore;
  retry: { baseMs: number; maxMs: number };
  log: Logger;
  metrics: Registry;
}

/**
 * The figures and restatements the aggregators announce on Kafka, copied into an InfluxDB
 * replica (ADR 0010): the replica then answers figure reads while the primary is down. A batch
 * is committed once the replica holds it; while the replica is down the batch is held. Figures
 * whose manual-entry list alone changed are stored on the primary, not announced, so a replica
 * may show an older list beside the same value.
 */
export function createFigureCopier(deps: FigureCopierDeps) {
  const copied = new Counter({ name: 'meterline_writer_figures_copied_total', help: 'Figures and restatements copied from Kafka into this replica', labelNames: ['topic'], registers: [deps.metrics] });
  const skipped = new Counter({ name: 'meterline_writer_figure_records_skipped_total', help: 'Figure or restatement records (a record holds many figures) not copied: unreadable, or refused by the replica', labelNames: ['reason'], registers: [deps.metrics] });
  const stopping = new AbortController();
  let storeDownSince: number | undefined;

  /** Each readable record's points, in order. */
  const recordsOf = (batch: ConsumedBatch): { offset: string; points: SeriesPoint[] }[] => {
    const figures = batch.topic === deps.topics.figures;
    const records = [];
    for (const message of batch.messages) {
      const decoded = figures ? figureBatchCodec.decode(message.value) : restatementCodec.decode(message.value);
      if (!decoded.ok) {
        skipped.inc({ reason: 'unreadable' });
        deps.log.error({ topic: batch.topic, partition: batch.partition, offset: message.offset, detail: decoded.detail }, 'figure record unreadable: not copied to the replica');
        continue;
      }
      const points = 'figures' in decoded.value ? decoded.value.figures.map(figurePoint) : [restatementPoint(decoded.value)];
      records.push({ offset: message.offset, points });
    }
    return records;
  };

  /** Writes, holding the batch through an outage; resolves with the replica's refusal, if it refused. */
  const write = async (batch: ConsumedBatch, points: SeriesPoint[]): Promise<StoreError | undefined> => {
    try {
      await untilStored(() => deps.store.write(points), {
        batch,
        stopping: stopping.signal,
        retry: deps.retry,
        waitOut: (error) => error.canRetry,
        onWaiting: (error, attempt) => {
          storeDownSince ??= Date.now();
          deps.log.warn({ err: error, attempt, points: points.length }, 'replica unavailable; holding the figures and retrying');
        },
      });
    } catch (error) {
      if (!(error instanceof StoreError)) throw error;
      return error;
    }
    storeDownSince = undefined;
    copied.inc({ topic: batch.topic }, points.length);
    return undefined;
  };

  const handleBatch = async (batch: ConsumedBatch): Promise<void> => {
    const records = recordsOf(batch);
    if (records.length === 0) return;
    if (!(await write(batch, records.flatMap((r) => r.points)))) return;
    // Refused: record by record, so one refused record costs the replica only its own figures.
    for (const record of records) {
      const refusal = await write(batch, record.points);
      if (!refusal) continue;
      // Written by our own aggregator: a refusal is a defect to see, not a reason to stop copying.
      skipped.inc({ reason: 'refused' });
      deps.log.error({ err: refusal, topic: batch.topic, partition: batch.partition, offset: record.offset, points: record.points.length }, 'the replica refused a figure record: not copied');
    }
  };

  return {
    start: () => deps.consumer.start(handleBatch),
    close: async () => {
      stopping.abort();
      await deps.consumer.close();
    },
    /** Checks to add to the writer's health: the copier's Kafka and its writes. */
    checks: (now: number) => ({
      figuresKafka: kafkaConsumerCheck(deps.consumer.lastHeardAt(), now),
      figureWrites: storeDownSince === undefined ? 'ok' : `failing for ${Math.round((now - storeDownSince) / 1000)} s`,
    }),
  };
}

export type FigureCopier = ReturnType<typeof createFigureCopier>;
