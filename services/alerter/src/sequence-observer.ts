import type { ConsumedBatch } from '@meterline/bus';
import { deviceSequenceCodec, type DeviceSequenceV1 } from '@meterline/contracts';
import { trackSequence, type SequenceEvent } from '@meterline/device-sequence';
import { loadSequenceStates, sequenceEventPoint, sequenceStatePoint, type StoredSequence } from '@meterline/series';
import type { Logger } from '@meterline/service-kit';
import type { SeriesPoint, TimeSeriesStore } from '@meterline/store';
import type { AlerterMetrics } from './metrics.ts';

export interface SequenceObserverDeps {
  store: TimeSeriesStore;
  log: Logger;
  metrics: AlerterMetrics;
}

const ANOMALIES: ReadonlySet<SequenceEvent['kind']> = new Set(['gap', 'replay', 'reset']);

/**
 * Device sequence records → each device's tracker state and events in the store. The topic is
 * keyed by device, so one instance at a time judges a device; its state is read from the store
 * for every batch (it may have moved between instances, or the alerter restarted) and written
 * back with the events before the batch is committed. The state names the last record it
 * applied: a batch delivered again after a crash is not counted twice.
 */
export function createSequenceObserver(deps: SequenceObserverDeps) {
  return async (batch: ConsumedBatch): Promise<void> => {
    const records: { record: DeviceSequenceV1; offset: string }[] = [];
    for (const message of batch.messages) {
      const decoded = deviceSequenceCodec.decode(message.value);
      if (decoded.ok) {
        records.push({ record: decoded.value, offset: message.offset });
      } else {
        deps.log.error({ topic: batch.topic, offset: message.offset, detail: decoded.detail }, 'device sequence record unreadable: skipped');
        deps.metrics.unreadable.inc({ topic: 'device-sequence' });
      }
    }
    if (records.length === 0) return;
    const stored = await loadSequenceStates(
      deps.store,
      [...new Set(records.map((r) => r.record.deviceId))],
      (error) => deps.log.error({ err: error }, 'stored device sequence state unreadable: the device starts again as if first seen'),
    );
    const changed = new Map<string, StoredSequence>();
    const eventPoints: SeriesPoint[] = [];
    const judged: { record: DeviceSequenceV1; event: SequenceEvent }[] = [];
    for (const { record, offset } of records) {
      const current = changed.get(record.deviceId) ?? stored.get(record.deviceId);
      if (current?.applied?.partition === batch.partition && BigInt(current.applied.offset) >= BigInt(offset)) continue;
      const { state, event } = trackSequence(current?.state, { seq: record.seq, sha256: record.sha256, atMs: record.receivedMs });
      changed.set(record.deviceId, { enterpriseId: record.enterpriseId, deviceId: record.deviceId, state, applied: { partition: batch.partition, offset } });
      const point = sequenceEventPoint(record.enterpriseId, record.deviceId, event, { atMs: record.receivedMs, sha256: record.sha256 });
      if (point) eventPoints.push(point);
      judged.push({ record, event });
    }
    await deps.store.write([...eventPoints, ...[...changed.values()].map(sequenceStatePoint)]);
    // Counted once stored: a failed write leaves the batch to come again, and it is counted then.
    for (const { record, event } of judged) {
      deps.metrics.sequenceEvents.inc({ kind: event.kind });
      if (event.kind === 'gap') deps.metrics.sequenceLost.inc(event.lost);
      if (ANOMALIES.has(event.kind)) deps.log.info({ device: record.deviceId, enterprise: record.enterpriseId, event, sha256: record.sha256 }, `device sequence: ${event.kind}`);
    }
  };
}
