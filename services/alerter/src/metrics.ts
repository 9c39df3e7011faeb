import { Counter, Histogram, type Registry } from '@meterline/service-kit';

export function createAlerterMetrics(registry: Registry) {
  return {
    unreadable: new Counter({ name: 'meterline_alerter_unreadable_total', help: 'Input records the alerter could not read, by topic', labelNames: ['topic'], registers: [registry] }),
    transitions: new Counter({ name: 'meterline_alerter_transitions_total', help: 'Alerts opened (fired), raised in severity (escalated) and closed (resolved), by rule', labelNames: ['rule', 'kind'], registers: [registry] }),
    notifications: new Counter({ name: 'meterline_alerter_notifications_total', help: 'Notifications put in the outbox, by rule and status', labelNames: ['rule', 'status'], registers: [registry] }),
    sequenceEvents: new Counter({
      name: 'meterline_device_sequence_events_total',
      help: 'Device sequence records judged, by what the seq showed: first, in-order, duplicate (the same bytes again), gap, late (a missing seq arrived), replay (a seen seq, other bytes), reset',
      labelNames: ['kind'],
      registers: [registry],
    }),
    sequenceLost: new Counter({ name: 'meterline_device_sequence_lost_total', help: 'Seqs skipped by gaps when they were found (some may arrive late)', registers: [registry] }),
    ticks: new Counter({ name: 'meterline_alerter_ticks_total', help: 'Ticks by outcome: evaluated, or skipped (already evaluated by this or another instance)', labelNames: ['outcome'], registers: [registry] }),
    evaluationSeconds: new Histogram({
      name: 'meterline_alerter_evaluation_seconds',
      help: 'Time to judge one enterprise\'s signals of a batch',
      buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 15],
      registers: [registry],
    }),
  };
}
export type AlerterMetrics = ReturnType<typeof createAlerterMetrics>;
