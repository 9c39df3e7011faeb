import { Counter, Gauge, Histogram, type Registry } from '@meterline/service-kit';

export function createAggregatorMetrics(registry: Registry, now: () => number) {
  const latestPeriodEnd = new Map<string, number>();
  return {
    jobs: new Counter({ name: 'meterline_aggregator_jobs_total', help: 'Aggregation jobs by outcome', labelNames: ['origin', 'outcome'], registers: [registry] }),
    jobSeconds: new Histogram({
      name: 'meterline_aggregator_job_seconds',
      help: 'Time to run one aggregation job',
      labelNames: ['origin'],
      buckets: [0.1, 0.5, 1, 5, 15, 60, 300, 1800],
      registers: [registry],
    }),
    phaseSeconds: new Counter({ name: 'meterline_aggregator_phase_seconds_total', help: 'Time spent per phase (read, compute, compare, publish, write)', labelNames: ['phase'], registers: [registry] }),
    figures: new Counter({ name: 'meterline_aggregator_figures_written_total', help: 'Figures written: added (first publication) or changed (restated)', labelNames: ['change'], registers: [registry] }),
    restatements: new Counter({ name: 'meterline_aggregator_restatements_total', help: 'Published figures restated', labelNames: ['reason'], registers: [registry] }),
    lag: new Gauge({
      name: 'meterline_aggregator_lag_seconds',
      help: 'Now minus the end of the newest period computed, per enterprise',
      labelNames: ['enterprise'],
      registers: [registry],
      collect() {
        for (const [enterprise, end] of latestPeriodEnd) this.set({ enterprise }, (now() - end) / 1000);
      },
    }),
    computedUntil(enterprise: string, endMs: number) {
      if (endMs > (latestPeriodEnd.get(enterprise) ?? -Infinity)) latestPeriodEnd.set(enterprise, endMs);
    },
  };
}
