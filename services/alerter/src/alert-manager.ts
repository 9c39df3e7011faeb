import { randomUUID } from 'node:crypto';
import type { BusProducer, ConsumedBatch } from '@meterline/bus';
import { alertNotificationCodec, alertSignalCodec, type AlertRule, type AlertSeverity, type AlertSignalV1 } from '@meterline/contracts';
import type { Enterprise } from '@meterline/domain';
import type { RegistrySource } from '@meterline/feeds';
import {
  loadAlerts, loadDeviceStates, loadProgress, loadSeen, readSequenceEvents, saveAlerts, type AlertRecord, type EnterpriseProgress, type OnUnreadable,
} from '@meterline/series';
import type { Logger } from '@meterline/service-kit';
import type { TimeSeriesStore } from '@meterline/store';
import { applyCondition, closeUnreported, dedupKey, type Transition } from './alert-lifecycle.ts';
import type { AlertingConfig, EnterpriseRules } from './alerting-config.ts';
import type { AlerterMetrics } from './metrics.ts';
import { monthToDate } from './month-to-date.ts';
import { dueNotices, notificationsFor } from './notifications.ts';
import { budgetOverrun } from './rules/budget.ts';
import { calibration } from './rules/calibration.ts';
import { TICK_RULES, type Condition } from './rules/condition.ts';
import { figureConditions } from './rules/figure-rules.ts';
import { figureRuleScope } from './rules/figure-rule-scope.ts';
import { deviceSequence } from './rules/device-sequence.ts';
import { meterOffline } from './rules/meter-offline.ts';
import { appendTo } from './append-to.ts';

export interface AlertManagerDeps {
  store: TimeSeriesStore;
  producer: BusProducer;
  notificationsTopic: string;
  registry: RegistrySource;
  alerting: () => Promise<AlertingConfig>;
  clock: () => Date;
  log: Logger;
  metrics: AlerterMetrics;
}


function severityOf(rules: EnterpriseRules, rule: AlertRule): AlertSeverity {
  switch (rule) {
    case 'meter-offline':
      return rules.meterOffline.severity;
    case 'low-coverage':
      return rules.lowCoverage.severity;
    case 'suspect-counter':
      return rules.suspectCounter.severity;
    case 'balance-gap':
      return rules.balanceGap.severity;
    case 'calibration-expiring':
      return rules.calibration.expiringSeverity;
    case 'calibration-expired':
      return rules.calibration.expiredSeverity;
    case 'budget-overrun':
      return rules.budget.severity;
    case 'consumption-threshold':
      return rules.consumptionThreshold.severity;
    case 'device-sequence':
      return rules.deviceSequence.severity;
    case 'quality-rule-failed':
      return rules.qualityRule.severity;
    // While at risk; an exceeded target's finding names its own severity (Condition.severity).
    case 'target-at-risk':
      return rules.targetAtRisk.severity;
    case 'limit-exceeded':
      return rules.limitExceeded.severity;
    case 'baseline-deviation':
      return rules.baselineDeviation.severity;
    case 'fabrication-suspected':
      return rules.fabricationSuspected.severity;
  }
}


/**
 * The alerter's second stage, the owner of an enterprise's alerts: the signals topic is keyed
 * by enterprise, so its consumer group gives each enterprise to one instance at a time. For
 * each enterprise in a batch it loads the alerts from the store, applies the figures' findings
 * and the ticks' (offline, calibration, budget), puts the notifications due in the outbox
 * topic, then writes the alerts back. Only then is the batch committed: a crash in between
 * repeats the same notifications with the same ids, never loses one.
 *
 * The alerts of the enterprises it evaluated are kept in memory with the revision they were
 * saved under; before each evaluation only the stored revision is read, and the alerts again
 * only if another instance saved since (the enterprise moved and came back).
 */
export function createAlertManager(deps: AlertManagerDeps) {
  const cache = new Map<string, { revision: string; records: Map<string, AlertRecord> }>();
  // A damaged or foreign row is left out, not a reason to stop judging the enterprise.
  const unreadable: OnUnreadable = (row) => deps.log.warn({ ...row }, 'a stored row of the alerter is unreadable: left out');

  const alertsOf = async (enterpriseId: string) => {
    const stored = await loadProgress(deps.store, enterpriseId, unreadable);
    const cached = cache.get(enterpriseId);
    if (cached && stored && cached.revision === stored.revision) return { stored, records: cached.records };
    return { stored, records: (await loadAlerts(deps.store, enterpriseId, unreadable)).records };
  };

  const tickConditions = async (enterprise: Enterprise, rules: EnterpriseRules, progress: EnterpriseProgress, tickMs: number): Promise<Condition[]> => {
    const out: Condition[] = [];
    if (rules.meterOffline.enabled) {
      const [lastReadingMs, devices] = await Promise.all([loadSeen(deps.store, enterprise.id, unreadable), loadDeviceStates(deps.store, enterprise.id, unreadable)]);
      out.push(...meterOffline({ enterprise, lastReadingMs, devices, watchingSinceMs: progress.watchingSinceMs, tickMs, settings: rules.meterOffline }));
    }
    if (rules.calibration.enabled) out.push(...calibration(enterprise, tickMs, rules.calibration));
    if (rules.deviceSequence.enabled) {
      const windowMs = rules.deviceSequence.windowMinutes * 60_000;
      const events = await readSequenceEvents(deps.store, { enterpriseId: enterprise.id, fromMs: tickMs - windowMs, toMs: tickMs + 1 }, unreadable);
      out.push(...deviceSequence({ enterprise, events, tickMs, settings: rules.deviceSequence }));
    }
    if (rules.budget.enabled) {
      const budgets = { tce: rules.budget.tceMonthly, co2: rules.budget.co2MonthlyTonnes };
      for (const metric of ['tce', 'co2'] as const) {
        if (budgets[metric] === undefined) continue;
        const condition = budgetOverrun(await monthToDate(deps.store, enterprise, tickMs, metric, rules.budget, unreadable), tickMs, rules.budget);
        if (condition) out.push(condition);
      }
    }
    return out;
  };

  const evaluate = async (enterpriseId: string, signals: AlertSignalV1[]) => {
    const [manifest, alerting] = await Promise.all([deps.registry.current(), deps.alerting()]);
    const enterprise = manifest.enterprises.find((e) => e.id === enterpriseId);
    if (!enterprise) {
      deps.log.warn({ enterprise: enterpriseId }, 'signals for an enterprise not in the registry: skipped');
      return;
    }
    const rules = alerting.rulesFor(enterpriseId);
    const now = deps.clock().getTime();
    const { stored, records } = await alertsOf(enterpriseId);
    // Dropped while this evaluation runs: a failure half-way must not leave a half-applied cache.
    cache.delete(enterpriseId);
    const progress: EnterpriseProgress = { ...(stored ?? { lastTickMs: 0, watchingSinceMs: now }), revision: randomUUID() };
    const transitions: Transition[] = [];
    const changed = new Set<string>();
    const apply = (condition: Condition) => {
      const t = applyCondition(records, enterpriseId, condition, condition.severity ?? severityOf(rules, condition.rule), changed);
      if (t) transitions.push(t);
    };
    let tickMs: number | undefined;
    for (const signal of signals) {
      if (signal.kind === 'figures') {
        for (const figure of signal.figures) figureConditions(figure, rules).forEach(apply);
        continue;
      }
      if (signal.tickMs <= progress.lastTickMs) {
        deps.metrics.ticks.inc({ outcome: 'skipped' });
        continue;
      }
      const conditions = await tickConditions(enterprise, rules, progress, signal.tickMs);
      conditions.forEach(apply);
      const reported = new Set(conditions.map((c) => dedupKey(enterpriseId, c.rule, c.subject)));
      const figureRuleJudges = figureRuleScope(enterprise, rules);
      for (const record of [...records.values()]) {
        if (record.alert.status !== 'firing') continue;
        const judged = TICK_RULES.includes(record.alert.rule) ? reported.has(record.alert.dedupKey) : figureRuleJudges(record.alert);
        if (judged) continue;
        const closed = closeUnreported(record, signal.tickMs, 'its rule no longer judges this subject');
        records.set(record.alert.dedupKey, closed);
        changed.add(record.alert.dedupKey);
        transitions.push({ kind: 'resolved', record: closed });
      }
      progress.lastTickMs = tickMs = signal.tickMs;
      deps.metrics.ticks.inc({ outcome: 'evaluated' });
    }
    const atMs = tickMs ?? now;
    const notices = dueNotices({
      records,
      transitions,
      atMs,
      tick: tickMs !== undefined,
      repeatIntervalMs: rules.repeatIntervalMinutes * 60_000,
      silences: alerting.silencesOf(enterpriseId),
      changed,
    });
    const notifications = notificationsFor({ enterpriseId, notices, subscriptions: alerting.subscriptionsOf(enterpriseId), atMs });
    if (notifications.length > 0) {
      await deps.producer.send(
        deps.notificationsTopic,
        notifications.map((n) => alertNotificationCodec.encode(n, n.subscriptionId)),
      );
    }
    await saveAlerts(deps.store, enterpriseId, [...changed].map((key) => records.get(key)!), progress);
    cache.set(enterpriseId, { revision: progress.revision, records });
    for (const t of transitions) deps.metrics.transitions.inc({ rule: t.record.alert.rule, kind: t.kind });
    for (const n of notifications) deps.metrics.notifications.inc({ rule: n.rule, status: n.status });
    if (transitions.length > 0 || notifications.length > 0) {
      const count = (kind: Transition['kind']) => transitions.filter((t) => t.kind === kind).length;
      deps.log.info({ enterprise: enterpriseId, fired: count('fired'), escalated: count('escalated'), resolved: count('resolved'), notifications: notifications.length }, 'alerts changed');
    }
  };

  return async (batch: ConsumedBatch): Promise<void> => {
    const byEnterprise = new Map<string, AlertSignalV1[]>();
    for (const message of batch.messages) {
      const decoded = alertSignalCodec.decode(message.value);
      if (!decoded.ok) {
        deps.log.error({ offset: message.offset, detail: decoded.detail }, 'alert signal unreadable: skipped');
        deps.metrics.unreadable.inc({ topic: 'signals' });
        continue;
      }
      appendTo(byEnterprise, decoded.value.enterpriseId, decoded.value);
    }
    for (const [enterpriseId, signals] of byEnterprise) {
      if (!batch.isActive()) throw new Error('signals partition lost or closing: the batch stays uncommitted');
      const end = deps.metrics.evaluationSeconds.startTimer();
      await evaluate(enterpriseId, signals);
      end();
      await batch.heartbeat();
    }
  };
}
