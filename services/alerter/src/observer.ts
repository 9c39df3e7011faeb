import type { BusProducer, ConsumedBatch } from '@meterline/bus';
import { alertSignalCodec, decodeReadingLiveness, deviceStatusCodec, FIGURE_KINDS, figureBatchCodec, type AlertSignalV1, type FigureV1 } from '@meterline/contracts';
import { recordDeviceStates, recordSeen } from '@meterline/series';
import type { Logger } from '@meterline/service-kit';
import type { TimeSeriesStore } from '@meterline/store';
import type { AlertingConfig } from './alerting-config.ts';
import type { AlerterMetrics } from './metrics.ts';
import { appendTo } from './append-to.ts';
import { BASELINE_DEVIATION_PERIOD } from './rules/baseline-deviation.ts';
import { FABRICATION_FINDING_PERIOD } from './rules/fabrication-suspected.ts';
import { QUALITY_RULE_PERIOD } from './rules/figure-rules.ts';
import { LIMIT_COMPLIANCE_PERIOD } from './rules/limit-exceeded.ts';
import { TARGET_PROGRESS_PERIOD } from './rules/target-at-risk.ts';
import { createSequenceObserver } from './sequence-observer.ts';

export interface ObserverTopics {
  readings: string;
  deviceStatus: string;
  deviceSequence: string;
  figures: string;
  signals: string;
}

export interface ObserverDeps {
  topics: ObserverTopics;
  producer: BusProducer;
  store: TimeSeriesStore;
  alerting: () => Promise<AlertingConfig>;
  /** Figures of periods that ended longer ago than this are history (a backfill, a restatement): not alerted on. */
  figureMaxAgeMs: number;
  maxFiguresPerSignal: number;
  clock: () => Date;
  log: Logger;
  metrics: AlerterMetrics;
}


/**
 * The alerter's first stage, stateless between batches: it turns what other services publish
 * into what the rules need. Readings (v1 or v2 records, keyed by point) become each point's newest reading
 * instant, device statuses become device states, both kept in the store; figures become
 * signals keyed by enterprise, so the enterprise's owner judges them; device sequence records
 * update each device's sequence state and events. A batch is committed
 * only when all of that is stored or published.
 */
export function createObserver(deps: ObserverDeps) {
  /** Newest reading per point written so far by this instance: a redelivered older batch does not move it back. */
  const written = new Map<string, number>();

  const readings = async (batch: ConsumedBatch) => {
    const seen = new Map<string, { enterpriseId: string; lastMs: number }>();
    for (const message of batch.messages) {
      const decoded = decodeReadingLiveness(message.value);
      if (!decoded.ok) {
        // The writer dead-letters unreadable records; here it only cannot count as a sign of life.
        deps.metrics.unreadable.inc({ topic: 'readings' });
        continue;
      }
      for (const reading of decoded.value) {
        const known = seen.get(reading.pointId)?.lastMs ?? written.get(reading.pointId) ?? -Infinity;
        if (reading.tsMs > known) seen.set(reading.pointId, { enterpriseId: reading.enterpriseId, lastMs: reading.tsMs });
      }
    }
    await recordSeen(deps.store, seen);
    for (const [point, s] of seen) written.set(point, s.lastMs);
  };

  const statuses = async (batch: ConsumedBatch) => {
    const reports = [];
    for (const message of batch.messages) {
      const decoded = deviceStatusCodec.decode(message.value);
      if (!decoded.ok) {
        deps.log.error({ topic: batch.topic, offset: message.offset, detail: decoded.detail }, 'device status unreadable: skipped');
        deps.metrics.unreadable.inc({ topic: 'device-status' });
        continue;
      }
      const checked = decoded.value;
      reports.push({ enterpriseId: checked.enterpriseId, deviceId: checked.deviceId, state: checked.state, atMs: checked.receivedMs, text: checked.text });
    }
    await recordDeviceStates(deps.store, reports);
  };

  const figures = async (batch: ConsumedBatch) => {
    const alerting = await deps.alerting();
    const oldest = deps.clock().getTime() - deps.figureMaxAgeMs;
    const byEnterprise = new Map<string, FigureV1[]>();
    for (const message of batch.messages) {
      const decoded = figureBatchCodec.decode(message.value);
      if (!decoded.ok) {
        deps.log.error({ topic: batch.topic, offset: message.offset, detail: decoded.detail }, 'figure batch unreadable: skipped');
        deps.metrics.unreadable.inc({ topic: 'figures' });
        continue;
      }
      const figureBatch = decoded.value;
      const judged = judgedPeriods(alerting, figureBatch.enterpriseId);
      const wanted = figureBatch.figures.filter((f) => f.endMs >= oldest && judged.get(f.measurement)?.has(f.periodKind));
      if (wanted.length > 0) appendTo(byEnterprise, figureBatch.enterpriseId, ...wanted);
    }
    const messages = [];
    for (const [enterpriseId, list] of byEnterprise) {
      for (let i = 0; i < list.length; i += deps.maxFiguresPerSignal) {
        const signal: AlertSignalV1 = { v: 1, kind: 'figures', enterpriseId, figures: list.slice(i, i + deps.maxFiguresPerSignal) };
        messages.push(alertSignalCodec.encode(signal, enterpriseId));
      }
    }
    if (messages.length > 0) await deps.producer.send(deps.topics.signals, messages);
  };

  const sequences = createSequenceObserver(deps);

  return async (batch: ConsumedBatch): Promise<void> => {
    if (batch.topic === deps.topics.readings) return readings(batch);
    if (batch.topic === deps.topics.deviceStatus) return statuses(batch);
    if (batch.topic === deps.topics.deviceSequence) return sequences(batch);
    if (batch.topic === deps.topics.figures) return figures(batch);
    deps.log.warn({ topic: batch.topic }, 'observer got a batch of a topic it does not read');
  };
}

/** The measurements and period kinds the enterprise's figure rules judge. */
function judgedPeriods(alerting: AlertingConfig, enterpriseId: string): Map<string, Set<string>> {
  const rules = alerting.rulesFor(enterpriseId);
  const consumption = new Set<string>();
  if (rules.lowCoverage.enabled) consumption.add(rules.lowCoverage.period);
  if (rules.suspectCounter.enabled) consumption.add(rules.suspectCounter.period);
  if (rules.consumptionThreshold.enabled) for (const t of rules.consumptionThreshold.thresholds) consumption.add(t.period);
  const balance = new Set<string>(rules.balanceGap.enabled ? [rules.balanceGap.period] : []);
  const scorecard = new Set<string>(rules.qualityRule.enabled ? [QUALITY_RULE_PERIOD] : []);
  const targets = new Set<string>(rules.targetAtRisk.enabled ? [TARGET_PROGRESS_PERIOD] : []);
  const limits = new Set<string>(rules.limitExceeded.enabled ? [LIMIT_COMPLIANCE_PERIOD] : []);
  const baselines = new Set<string>(rules.baselineDeviation.enabled ? [BASELINE_DEVIATION_PERIOD] : []);
  const fabrication = new Set<string>(rules.fabricationSuspected.enabled ? [FABRICATION_FINDING_PERIOD] : []);
  return new Map([
    [FIGURE_KINDS.consumption, consumption],
    [FIGURE_KINDS.energyBalance, balance],
    [FIGURE_KINDS.qualityRule, scorecard],
    [FIGURE_KINDS.targetProgress, targets],
    [FIGURE_KINDS.limitCompliance, limits],
    [FIGURE_KINDS.baselineDeviation, baselines],
    [FIGURE_KINDS.fabricationFinding, fabrication],
  ]);
}
