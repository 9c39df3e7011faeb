import type { BusConsumer, BusProducer, ConsumedBatch } from '@meterline/bus';
import { aggregationJobCodec, type AggregationJobV1 } from '@meterline/contracts';
import type { AccountingOptions, Enterprise, FactorCatalog, LimitStandards } from '@meterline/domain';
import type { RegistrySource } from '@meterline/feeds';
import type { Scheduler } from '@meterline/scheduler';
import { backoffDelay, kafkaConsumerCheck, sleep, type HealthReport, type Logger, type Registry } from '@meterline/service-kit';
import { readLandedMarks } from '@meterline/series';
import { StoreError, type TimeSeriesStore } from '@meterline/store';
import { aggregateEnterprise, type FigurePublisher, type UnitReport } from './aggregate-enterprise.ts';
import type { BaselineUnfit } from './judged/judge-baselines.ts';
import { landedWatch } from './landed-watch.ts';
import { createAggregatorMetrics } from './metrics.ts';
import { registryVersion } from './registry-version.ts';
import { scheduledJobs, scheduleSpecs, type Lookbacks } from './schedule-plan.ts';

export interface AggregatorAppDeps {
  /** Member of the aggregators' group on the jobs topic: partitions decide who computes which enterprise. */
  jobs: BusConsumer;
  producer: BusProducer;
  jobsTopic: string;
  publisher: FigurePublisher;
  store: TimeSeriesStore;
  registry: RegistrySource;
  catalog: FactorCatalog;
  scheduler: Scheduler;
  lookback: Lookbacks;
  /**
   * Late readings: how often their landing marks are looked for (seconds; 0 or absent: never,
   * late data then waits for the schedules), and how far back in data time.
   */
  landed?: { pollSeconds: number; horizonMs: number };
  engine: { readingsMeasurement: string; boundSearchMs: number; writeChunkPoints: number; accounting: AccountingOptions; limits?: LimitStandards };
  retry: { baseMs: number; maxMs: number };
  /**
   * How long the jobs consumer may go without an answer from Kafka before health says so: the
   * session timeout, since a long unit of work heartbeats only when it ends (default 10 s).
   */
  kafkaSilenceLimitMs?: number;
  clock: () => Date;
  log: Logger;
  metrics: Registry;
}

export interface AggregatorApp {
  start(): Promise<void>;
  close(): Promise<void>;
  health(): Promise<HealthReport>;
}

/** Scheduled job ids already done, so the copies other instances published are skipped. */
const DONE_MEMORY = 10_000;

/**
 * The aggregator: schedules publish jobs, the jobs topic's consumer group shares them out
 * by enterprise, and each job recomputes its window with the engine. A job is committed
 * only when finished; one cut short (shutdown, lost partition, store down) comes again.
 */
export function createAggregatorApp(deps: AggregatorAppDeps): AggregatorApp {
  const metrics = createAggregatorMetrics(deps.metrics, () => deps.clock().getTime());
  const done = new Set<string>();
  const scheduled = new Set<string>();
  let closing = false;
  let failures = 0;

  const onUnreadable = (row: { measurement: string; reason: string }) => deps.log.warn({ ...row }, 'a stored row is unreadable: left out');
  const onBaselineUnfit = (unfit: BaselineUnfit) => deps.log.warn({ ...unfit }, 'an energy baseline cannot be fitted: its days get no baseline_deviation figures');
  const watch = landedWatch({ since: deps.clock().getTime(), onTimeMs: 15 * 60_000 });

  const remember = (jobId: string) => {
    done.add(jobId);
    if (done.size > DONE_MEMORY) done.delete(done.values().next().value!);
  };

  /** Adds the schedules the registry needs (a new time zone appears with a new enterprise). */
  const schedule = async () => {
    const { enterprises } = await deps.registry.current();
    const landed = deps.landed;
    if (landed && landed.pollSeconds > 0 && !scheduled.has('landed')) {
      scheduled.add('landed');
      deps.scheduler.add({
        name: 'landed',
        expression: `*/${landed.pollSeconds} * * * * *`,
        timeZone: 'UTC',
        task: async (firedAt) => {
          const now = firedAt.getTime();
          const marks = await readLandedMarks(deps.store, deps.engine.readingsMeasurement, undefined, now - landed.horizonMs, now + 86_400_000, onUnreadable);
          const jobs = watch.jobs((await deps.registry.current()).enterprises, marks, firedAt);
          if (jobs.length === 0) return;
          await deps.producer.send(deps.jobsTopic, jobs.map((j) => aggregationJobCodec.encode(j, j.enterpriseId)));
          deps.log.info({ jobs: jobs.map((j) => j.jobId) }, 'late readings landed: jobs published');
        },
      });
    }
    for (const spec of scheduleSpecs(enterprises, deps.lookback)) {
      if (scheduled.has(spec.name)) continue;
      scheduled.add(spec.name);
      deps.scheduler.add({
        name: spec.name,
        expression: spec.expression,
        timeZone: spec.timeZone,
        task: async (firedAt) => {
          const current = await deps.registry.current();
          const jobs = scheduledJobs(spec, current.enterprises, firedAt);
          if (jobs.length > 0) await deps.producer.send(deps.jobsTopic, jobs.map((j) => aggregationJobCodec.encode(j, j.enterpriseId)));
          deps.log.info({ schedule: spec.name, jobs: jobs.length }, 'scheduled jobs published');
          if (spec.name === 'recent') await schedule();
        },
      });
    }
  };

  const runJob = async (job: AggregationJobV1, batch: ConsumedBatch): Promise<'completed' | 'interrupted' | 'skipped'> => {
    if (job.origin === 'schedule' && done.has(job.jobId)) return 'skipped';
    const manifest = await deps.registry.current();
    const enterprise: Enterprise | undefined = manifest.enterprises.find((e) => e.id === job.enterpriseId);
    if (!enterprise) {
      deps.log.warn({ jobId: job.jobId, enterprise: job.enterpriseId }, 'job for an enterprise not in the registry: skipped');
      return 'skipped';
    }
    const factorSet = deps.catalog.resolveFor(enterprise);
    if (!factorSet.ok) {
      deps.log.error({ jobId: job.jobId, enterprise: enterprise.id, err: factorSet.error }, 'no factor set for the enterprise (unknown, or not covering its region): skipped until the registry pins one that does');
      return 'skipped';
    }
    const started = performance.now();
    deps.log.info({ jobId: job.jobId, enterprise: enterprise.id, kinds: job.kinds, from: new Date(job.fromMs).toISOString(), to: new Date(job.toMs).toISOString() }, 'job started');
    const result = await aggregateEnterprise(
      { store: deps.store, publisher: deps.publisher, ...deps.engine, onUnreadable, onBaselineUnfit },
      {
        enterprise,
        factorSet: factorSet.factor,
        registryVersion: registryVersion(enterprise),
        kinds: job.kinds,
        range: { start: job.fromMs, end: job.toMs },
        now: deps.clock().getTime(),
        regionEnterprises: manifest.enterprises.filter((e) => e.region === enterprise.region),
        // Scheduled work (and late readings) computes what changed; a job someone asked for computes all it names.
        incremental: job.origin === 'schedule',
        shouldStop: () => closing || !batch.isActive(),
        onUnit: async (report: UnitReport) => {
          record(report);
          await batch.heartbeat();
        },
      },
    );
    metrics.jobSeconds.observe({ origin: job.origin }, (performance.now() - started) / 1000);
    deps.log.info({ jobId: job.jobId, enterprise: enterprise.id, completed: result.completed, units: result.units.length, skipped: result.skipped }, 'job ended');
    if (result.completed) remember(job.jobId);
    return result.completed ? 'completed' : 'interrupted';
  };

  const record = (report: UnitReport) => {
    for (const [phase, ms] of Object.entries(report.timings)) metrics.phaseSeconds.inc({ phase }, ms / 1000);
    metrics.figures.inc({ change: 'added' }, report.added);
    metrics.figures.inc({ change: 'changed' }, report.changed);
    for (const r of report.restatements) metrics.restatements.inc({ reason: r.reason });
    for (const judged of [report.judged, report.baselines, report.fabrication]) {
      if (!judged) continue;
      for (const r of judged.restatements) metrics.restatements.inc({ reason: r.reason });
      metrics.figures.inc({ change: 'added' }, judged.added);
      metrics.figures.inc({ change: 'changed' }, judged.changed);
    }
    metrics.computedUntil(report.enterpriseId, report.latestPeriodEndMs);
  };

  const handle = async (batch: ConsumedBatch) => {
    for (const message of batch.messages) {
      const decoded = aggregationJobCodec.decode(message.value);
      if (!decoded.ok) {
        // A job nobody can read cannot be done by anyone: report it and move past it.
        deps.log.error({ offset: message.offset, detail: decoded.detail }, 'aggregation job unreadable: skipped');
        metrics.jobs.inc({ origin: 'unknown', outcome: 'unreadable' });
        continue;
      }
      const job = decoded.value;
      let outcome;
      try {
        outcome = await runJob(job, batch);
        failures = 0;
      } catch (error) {
        metrics.jobs.inc({ origin: job.origin, outcome: 'failed' });
        const retry = error instanceof StoreError ? error.canRetry : true;
        deps.log.error({ jobId: job.jobId, err: error, retry }, 'aggregation job failed; it will run again');
        // Back off before the batch comes again, heartbeating so the partition stays here.
        const until = Date.now() + backoffDelay(failures++, deps.retry.baseMs, deps.retry.maxMs);
        while (Date.now() < until && !closing && batch.isActive()) {
          await sleep(Math.min(1_000, until - Date.now()));
          await batch.heartbeat();
        }
        throw error;
      }
      metrics.jobs.inc({ origin: job.origin, outcome });
      if (outcome === 'interrupted') throw new Error(`job ${job.jobId} interrupted: it stays uncommitted and runs again`);
    }
  };

  return {
    async start() {
      await schedule();
      await deps.jobs.start(handle);
    },
    async close() {
      closing = true;
      await deps.scheduler.close();
      await deps.jobs.close();
    },
    async health() {
      const storeUp = await deps.store.ping();
      const kafka = kafkaConsumerCheck(deps.jobs.lastHeardAt(), Date.now(), deps.kafkaSilenceLimitMs);
      return { healthy: storeUp && kafka === 'ok', checks: { influxdb: storeUp ? 'ok' : 'down', kafka } };
    },
  };
}
