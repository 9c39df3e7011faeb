import { KafkaBus } from '@meterline/bus-kafka';
import { calendarPeriod, createFactorCatalog, type Enterprise } from '@meterline/domain';
import { fileRegistrySource } from '@meterline/feeds';
import { ConfigError } from '@meterline/service-kit';
import type { UnreadableRow } from '@meterline/series';
import { InfluxStore } from '@meterline/store-influx';
import { aggregateEnterprise } from '../aggregate-enterprise.ts';
import { planAggregation } from '../aggregation-plan.ts';
import type { BaselineUnfit } from '../judged/judge-baselines.ts';
import { busFigurePublisher } from '../bus-figure-publisher.ts';
import { accountingOptions, influxOptions, limitStandardsOf, loadBackfillConfig } from '../config.ts';
import { registryVersion } from '../registry-version.ts';
import { BACKFILL_USAGE, parseBackfillArgs } from './backfill-args.ts';
import { addUnit, emptyTotals, progressLine, summary } from './progress.ts';

export interface BackfillIo {
  env: NodeJS.ProcessEnv;
  stdout(text: string): void;
  stderr(text: string): void;
  /** True when stderr is a terminal: the progress bar is redrawn in place. */
  interactive: boolean;
  /** Registers what to do on Ctrl-C / SIGTERM. */
  onInterrupt(handler: () => void): void;
}

const EXIT_OK = 0;
const EXIT_USAGE = 64;
const EXIT_INTERRUPTED = 75; // EX_TEMPFAIL: run again to finish
const EXIT_UNAVAILABLE = 69; // EX_UNAVAILABLE: InfluxDB or Kafka failed
const EXIT_CONFIG = 78; // EX_CONFIG

/** `meterline aggregate`: backfills figures for a date range; returns the exit code. */
export async function runBackfill(argv: readonly string[], io: BackfillIo): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    io.stdout(`${BACKFILL_USAGE}\n`);
    return EXIT_OK;
  }
  const parsed = parseBackfillArgs(argv);
  if (!parsed.ok) {
    for (const e of parsed.errors) io.stderr(`meterline aggregate: ${e}\n`);
    io.stderr(`${BACKFILL_USAGE}\n`);
    return EXIT_USAGE;
  }
  const args = parsed.args;
  let config;
  try {
    config = loadBackfillConfig(io.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    io.stderr(`meterline aggregate: ${error.message}\n`);
    return EXIT_CONFIG;
  }
  let enterprises: Enterprise[];
  try {
    const registry = await fileRegistrySource(config.registryFile, () => undefined);
    enterprises = (await registry.current()).enterprises;
  } catch (error) {
    io.stderr(`meterline aggregate: ${(error as Error).message}\n`);
    return EXIT_CONFIG;
  }
  const unknown = args.enterprises.filter((id) => !enterprises.some((e) => e.id === id));
  if (unknown.length > 0) {
    io.stderr(`meterline aggregate: not in ${config.registryFile}: ${unknown.join(', ')}\n`);
    return EXIT_USAGE;
  }
  // A region's targets sum every enterprise of the region, whichever of them this run recomputes.
  const registered = enterprises;
  if (args.enterprises.length > 0) enterprises = enterprises.filter((e) => args.enterprises.includes(e.id));
  const catalog = createFactorCatalog();
  let limits;
  try {
    limits = await limitStandardsOf(config);
  } catch (error) {
    io.stderr(`meterline aggregate: ${(error as Error).message}\n`);
    return EXIT_CONFIG;
  }
  const now = Date.now();
  const work = [];
  for (const enterprise of enterprises) {
    const factorSet = catalog.resolveFor(enterprise);
    if (!factorSet.ok) {
      io.stderr(`meterline aggregate: ${enterprise.id}: ${factorSet.error.message}\n`);
      return EXIT_CONFIG;
    }
    const range = { start: calendarPeriod(args.from, enterprise.timeZone).start, end: calendarPeriod(args.to, enterprise.timeZone).end };
    const plan = planAggregation(range, args.kinds, enterprise.timeZone, now);
    work.push({ enterprise, factorSet: factorSet.factor, range, units: plan.days.filter((d) => d.periods.length > 0).length + plan.months.length });
  }
  const planned = work.reduce((n, w) => n + w.units, 0);

  let stop = false;
  io.onInterrupt(() => {
    stop = true;
    io.stderr('\nmeterline aggregate: finishing the unit in hand, then stopping\n');
  });
  const store = new InfluxStore({ ...influxOptions(config), log: (level, message) => io.stderr(`influxdb-client ${level}: ${message}\n`) });
  const bus = new KafkaBus({ brokers: config.kafkaBrokers, clientId: 'meterline-backfill', log: (level, message) => level === 'error' && io.stderr(`kafka: ${message}\n`) });
  const totals = emptyTotals();
  const started = performance.now();
  let lastPrinted = -1;
  let completed = true;
  let producer;
  try {
    producer = await bus.producer();
    const publisher = busFigurePublisher({ producer, topics: { figures: config.figuresTopic, restatements: config.restatementsTopic }, maxFiguresPerMessage: config.maxFiguresPerMessage });
    const deps = { store, publisher, readingsMeasurement: config.readingsMeasurement, boundSearchMs: config.boundSearchDays * 86_400_000, writeChunkPoints: config.writeChunkPoints, accounting: accountingOptions(config), limits, onUnreadable: (row: UnreadableRow) => io.stderr(`a stored row is unreadable, left out: ${row.measurement} ${JSON.stringify(row.tags)} at ${row.timestampMs}: ${row.reason}\n`),
      onBaselineUnfit: (u: BaselineUnfit) => io.stderr(`${io.interactive ? '\n' : ''}energy baseline ${u.baselineId} of ${u.enterpriseId} cannot be fitted for ${u.unit}, no baseline_deviation figures: ${u.reason}\n`) };
    for (const w of work) {
      const result = await aggregateEnterprise(deps, {
        enterprise: w.enterprise,
        factorSet: w.factorSet,
        registryVersion: registryVersion(w.enterprise),
        kinds: args.kinds,
        range: w.range,
        now,
        regionEnterprises: registered.filter((e) => e.region === w.enterprise.region),
        shouldStop: () => stop,
        onUnit: (report) => {
          addUnit(totals, report);
          const line = progressLine(totals.units, planned, report, totals);
          const step = Math.floor((totals.units / Math.max(1, planned)) * 20);
          if (io.interactive) io.stderr(`\r${line}`);
          else if (step !== lastPrinted) io.stderr(`${line}\n`);
          lastPrinted = step;
        },
      });
      if (!result.completed) {
        completed = false;
        break;
      }
    }
  } catch (error) {
    io.stderr(`${io.interactive ? '\n' : ''}meterline aggregate: failed: ${(error as Error).message}\n`);
    io.stderr(`${summary(totals, planned, performance.now() - started, false)}\n`);
    return EXIT_UNAVAILABLE;
  } finally {
    await producer?.close();
    await bus.close();
  }
  if (io.interactive) io.stderr('\n');
  io.stdout(`${summary(totals, planned, performance.now() - started, completed)}\n`);
  return completed ? EXIT_OK : EXIT_INTERRUPTED;
}
