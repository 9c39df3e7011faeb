/**
 * The capacity model of docs/capacity.md as arithmetic: from enterprises × metering points ×
 * reading interval to readings and messages per second, Kafka bytes and partitions, instances
 * per service and InfluxDB size. Pure: no I/O. `scripts/capacity.ts` prints it for the doc's
 * scales or for an operator's own numbers.
 *
 * Every input below is either measured (the bench and the run are named; all on a 2-core
 * machine with the whole stack on it) or derived from measured ones (the derivation is given).
 * docs/capacity.md says which, and what has not been measured.
 */

/** The inputs, with where each was measured. Numbers per second are sustained rates. */
export const MEASURED = Object.freeze({
  /** bench:ingest, pipelined MQTT sessions, 100 readings per payload: peak stored readings/s, the lower of two runs (49 231, 51 973). */
  pipelinePeakBatchedReadingsPerSecond: 49_231,
  /** bench:ingest, same runs, 1 reading per payload: peak stored messages/s, the lower of two runs (14 061, 14 864). */
  pipelinePeakSingleMessagesPerSecond: 14_061,
  /** bench:ingest raw InfluxDB baseline, the stored reading shape: the lowest of the runs since readings lost two fields (206 384 … 647 488). */
  influxRawReadingPointsPerSecond: 206_384,
  /** bench:aggregate BENCH_DAYS=1, raw write of figure points (14-field points) in the same run. */
  influxRawFigurePointsPerSecond: 39_357,
  /** bench:aggregate BENCH_DAYS=1, 10 000 points: first computation of quarter-hour figures, figures/s. */
  aggregatorFiguresPerSecond: 20_373,
  /** bench:aggregate, a month of 1 000 points: full recomputation with nothing changed, 73.3 s. */
  recomputeFullSecondsPerPointMonth: 73.3 / 1_000,
  /** bench:aggregate, the same month: first computation, 141.3 s. */
  firstComputationSecondsPerPointMonth: 141.3 / 1_000,
  /** bench:aggregate, the same month: incremental recomputation with nothing landed, 0.29 s for 10 enterprises. */
  incrementalRunSecondsPerEnterprise: 0.29 / 10,
  /** bench:aggregate: figures per enterprise per quarter-hour besides the points' own (971 520 − 960 000 figures of a day, 10 enterprises, 96 quarter-hours). */
  enterpriseFiguresPerPeriod: 12,
  /** bench:alerter: one tick of one enterprise of 10 000 points, every point reading, 486 ms. */
  alerterTickSecondsPerPoint: 0.486 / 10_000,
  /** The bench's planned MQTT payloads: JSON bytes per reading inside a 100-reading payload (ids of 7–14 characters). */
  mqttBytesPerBatchedReading: 125,
  /** The same payloads: a batched payload's envelope (v, deviceId, seq, the array). */
  mqttBatchedEnvelopeBytes: 90,
  /** The same, single-reading payloads: JSON bytes per message. */
  mqttBytesPerSingleMessage: 161,
  /** The Kafka records ingest builds of those payloads (readings v2): JSON bytes per reading in a record. */
  kafkaBytesPerReadingInRecord: 290,
  /** The same records: the envelope (device, seq, receivedAt, verified) of a record. */
  kafkaRecordEnvelopeBytes: 104,
  /** aggregate bench, 7 days of 10 000 points: 3.9 GB in Kafka for 6.8 M figures. */
  kafkaBytesPerFigure: 573,
  /** aggregate bench, the same run: 337 MB in InfluxDB for 6.72 M readings and 6.8 M figures, 25 bytes a stored point on average (readings then had a third field). */
  influxBytesPerStoredPoint: 25,
});

/** Derived, not measured: see docs/capacity.md for each. */
export const DERIVED = Object.freeze({
  /** Kafka's per-record framing: varints, the key (a point or device id), the `schema` header. */
  kafkaRecordOverheadBytes: 60,
  /** A device-sequence record: its JSON (228 bytes with the bench's ids) plus the framing. */
  kafkaDeviceSequenceRecordBytes: 228 + 60,
  /** MQTT PUBLISH framing: fixed header, `meterline/v1/<device>/readings`, packet id, properties. */
  mqttPublishOverheadBytes: 40,
  /** Figures a metering point gets a day: 96 quarter-hours, 24 hours, a day and 1/30.4 of a month. */
  pointFiguresPerDay: 96 + 24 + 1 + 12 / 365,
  /** Consumption series per point (one per period kind: quarter-hour, hour, day, month), plus its readings and its last-seen row. */
  seriesPerPoint: 4 + 1 + 1,
  /** Enterprise-level series (standard coal, carbon scopes, balance nodes, intensity, … per period kind): an order of magnitude. */
  seriesPerEnterprise: 100,
  /** Kafka's default log.retention.hours (168): no topic of ours sets another. */
  kafkaRetentionDays: 7,
  /** Partitions of the aggregation jobs and alert signals topics (infra/local/src/topics.ts, compose): the most instances a group can use. */
  jobsPartitions: 12,
  signalsPartitions: 12,
  /** Plan every instance at no more than this share of what was measured. */
  headroom: 0.5,
});

/** Ingest's cost per message and per reading, solved from the two measured peaks (the whole pipeline on one 2-core box). */
export function perMessageAndPerReadingSeconds(m: typeof MEASURED = MEASURED): { perMessage: number; perReading: number } {
  const single = 1 / m.pipelinePeakSingleMessagesPerSecond; // one message carrying one reading
  const hundred = 100 / m.pipelinePeakBatchedReadingsPerSecond; // one message carrying 100 readings
  const perReading = (hundred - single) / 99;
  return { perMessage: single - perReading, perReading };
}

/** Distinct partitions n keys hit, spread uniformly over p partitions: the records a payload of n readings becomes. */
export function expectedRecordsPerPayload(readings: number, partitions: number): number {
  if (readings <= 1) return readings;
  return partitions * (1 - (1 - 1 / partitions) ** readings);
}

export interface Scenario {
  name: string;
  enterprises: number;
  pointsPerEnterprise: number;
  intervalSeconds: number;
  /** 1: every meter is its own device; n: gateways publishing n readings a payload. */
  readingsPerPayload: number;
  /** The readings topic's partitions; by default twice the writers needed, a multiple of 6, at least 6. */
  readingsPartitions?: number;
}

export interface Capacity {
  points: number;
  devices: number;
  readingsPerSecond: number;
  messagesPerSecond: number;
  mqttMegabytesPerSecond: number;
  /** Share of one 2-core box with the whole pipeline on it, at the measured peaks. */
  pipelineLoad: number;
  ingestInstances: number;
  writerInstances: number;
  readingsPartitions: number;
  readingsPerRecord: number;
  kafkaRecordsPerSecond: number;
  /** Produced to the readings, device-sequence and figures topics, before replication. */
  kafkaMegabytesPerSecond: number;
  /** At replication factor 3 and 7 days' retention, all brokers together. */
  kafkaDiskTerabytes: number;
  figuresPerSecond: number;
  aggregatorInstances: number;
  /** One aggregator, every point's month of quarter-hours recomputed with nothing changed. */
  monthRecomputeHoursOneInstance: number;
  /** One aggregator, every point's month computed for the first time (or all restated). */
  monthFirstComputationHoursOneInstance: number;
  /** The same month's quarter-hour figures at the raw figure write rate of one InfluxDB node: the floor whatever the aggregators. */
  monthFirstComputationHoursInfluxBound: number;
  alerterInstances: number;
  influxNodes: number;
  series: number;
  /** Readings of a year, and the TB they and the year's figures take in InfluxDB at the measured average per stored point. */
  readingsPerYear: number;
  influxTerabytesPerYear: number;
}

const ceilAtLeast = (x: number, min: number): number => Math.max(min, Math.ceil(x - 1e-9));

export function capacity(s: Scenario, m: typeof MEASURED = MEASURED, d: typeof DERIVED = DERIVED): Capacity {
  const points = s.enterprises * s.pointsPerEnterprise;
  const g = s.readingsPerPayload;
  const devices = points / g;
  const readingsPerSecond = points / s.intervalSeconds;
  const messagesPerSecond = readingsPerSecond / g;
  const payloadBytes = g === 1 ? m.mqttBytesPerSingleMessage : m.mqttBatchedEnvelopeBytes + m.mqttBytesPerBatchedReading * g;
  const mqttMegabytesPerSecond = (messagesPerSecond * (payloadBytes + d.mqttPublishOverheadBytes)) / 1e6;

  const cost = perMessageAndPerReadingSeconds(m);
  const pipelineLoad = messagesPerSecond * cost.perMessage + readingsPerSecond * cost.perReading;
  const ingestInstances = ceilAtLeast(pipelineLoad / d.headroom, 2);
  const writerInstances = ingestInstances;
  const readingsPartitions = s.readingsPartitions ?? Math.max(6, Math.ceil((2 * writerInstances) / 6) * 6);
  const recordsPerPayload = expectedRecordsPerPayload(g, readingsPartitions);
  const readingsPerRecord = g / recordsPerPayload;
  const kafkaRecordsPerSecond = messagesPerSecond * recordsPerPayload;

  const figuresPerDay = points * d.pointFiguresPerDay + s.enterprises * m.enterpriseFiguresPerPeriod * d.pointFiguresPerDay;
  const figuresPerSecond = figuresPerDay / 86_400;
  const readingBytes = kafkaRecordsPerSecond * (m.kafkaRecordEnvelopeBytes + d.kafkaRecordOverheadBytes) + readingsPerSecond * m.kafkaBytesPerReadingInRecord;
  const kafkaBytesPerSecond = readingBytes + messagesPerSecond * d.kafkaDeviceSequenceRecordBytes + figuresPerSecond * m.kafkaBytesPerFigure;
  const kafkaMegabytesPerSecond = kafkaBytesPerSecond / 1e6;
  const kafkaDiskTerabytes = (kafkaBytesPerSecond * 3 * d.kafkaRetentionDays * 86_400) / 1e12;

  const aggregatorLoad = figuresPerSecond / m.aggregatorFiguresPerSecond + (s.enterprises * m.incrementalRunSecondsPerEnterprise) / 900;
  const aggregatorInstances = ceilAtLeast(aggregatorLoad / d.headroom, 2);
  const monthRecomputeHoursOneInstance = (points * m.recomputeFullSecondsPerPointMonth) / 3_600;
  const monthFirstComputationHoursOneInstance = (points * m.firstComputationSecondsPerPointMonth) / 3_600;
  const quarterHourFiguresOfMonth = (points + s.enterprises * m.enterpriseFiguresPerPeriod) * 96 * 31;
  const monthFirstComputationHoursInfluxBound = quarterHourFiguresOfMonth / m.influxRawFigurePointsPerSecond / 3_600;

  const alerterLoad = (points * m.alerterTickSecondsPerPoint) / 30;
  const alerterInstances = ceilAtLeast(alerterLoad / d.headroom, 2);

  const influxLoad = readingsPerSecond / m.influxRawReadingPointsPerSecond + figuresPerSecond / m.influxRawFigurePointsPerSecond;
  const influxNodes = ceilAtLeast(influxLoad / d.headroom, 1);
  const series = points * d.seriesPerPoint + devices * 2 + s.enterprises * d.seriesPerEnterprise;
  const readingsPerYear = (points * 365 * 86_400) / s.intervalSeconds;
  const influxTerabytesPerYear = ((readingsPerYear + figuresPerDay * 365) * m.influxBytesPerStoredPoint) / 1e12;

  return {
    points,
    devices,
    readingsPerSecond,
    messagesPerSecond,
    mqttMegabytesPerSecond,
    pipelineLoad,
    ingestInstances,
    writerInstances,
    readingsPartitions,
    readingsPerRecord,
    kafkaRecordsPerSecond,
    kafkaMegabytesPerSecond,
    kafkaDiskTerabytes,
    figuresPerSecond,
    aggregatorInstances,
    monthRecomputeHoursOneInstance,
    monthFirstComputationHoursOneInstance,
    monthFirstComputationHoursInfluxBound,
    alerterInstances,
    influxNodes,
    series,
    readingsPerYear,
    influxTerabytesPerYear,
  };
}

/** The scales docs/capacity.md works through (its section 4 is this table, checked by a test). */
export const WORKED_EXAMPLES: readonly Scenario[] = [
  { name: 'one enterprise, 15 min, 10 gateways', enterprises: 1, pointsPerEnterprise: 300, intervalSeconds: 900, readingsPerPayload: 30 },
  { name: 'one enterprise, 1 min, 300 meters', enterprises: 1, pointsPerEnterprise: 300, intervalSeconds: 60, readingsPerPayload: 1 },
  { name: 'province, 15 min, gateways', enterprises: 2_000, pointsPerEnterprise: 300, intervalSeconds: 900, readingsPerPayload: 30 },
  { name: 'province, 1 min, gateways', enterprises: 2_000, pointsPerEnterprise: 300, intervalSeconds: 60, readingsPerPayload: 30 },
  { name: 'province, 1 min, every meter alone', enterprises: 2_000, pointsPerEnterprise: 300, intervalSeconds: 60, readingsPerPayload: 1 },
  { name: 'nation, 15 min, gateways', enterprises: 20_000, pointsPerEnterprise: 300, intervalSeconds: 900, readingsPerPayload: 30 },
  { name: 'nation, 1 min, gateways', enterprises: 20_000, pointsPerEnterprise: 300, intervalSeconds: 60, readingsPerPayload: 30 },
];

const n = (x: number, digits = 0): string => x.toLocaleString('en-GB', { maximumFractionDigits: digits, minimumFractionDigits: digits }).replaceAll(',', ' ');

const ROWS: readonly [string, (c: Capacity) => string][] = [
  ['metering points', (c) => n(c.points)],
  ['devices (MQTT connections)', (c) => n(c.devices)],
  ['readings/s', (c) => n(c.readingsPerSecond, c.readingsPerSecond < 10 ? 2 : 0)],
  ['MQTT messages/s', (c) => n(c.messagesPerSecond, c.messagesPerSecond < 10 ? 2 : 0)],
  ['MQTT MB/s into the broker', (c) => n(c.mqttMegabytesPerSecond, 3)],
  ['pipeline load (share of one 2-core box at the measured peaks)', (c) => n(c.pipelineLoad, 3)],
  ['ingest instances (≤ 50 %, at least 2)', (c) => n(c.ingestInstances)],
  ['writer instances per InfluxDB (≤ 50 %, at least 2)', (c) => n(c.writerInstances)],
  ['readings topic partitions', (c) => n(c.readingsPartitions)],
  ['readings per Kafka record', (c) => n(c.readingsPerRecord, 1)],
  ['Kafka records/s on the readings topic', (c) => n(c.kafkaRecordsPerSecond, c.kafkaRecordsPerSecond < 10 ? 2 : 0)],
  ['Kafka MB/s produced (readings, device sequence, figures)', (c) => n(c.kafkaMegabytesPerSecond, 3)],
  ['Kafka disk, RF 3, 7 days (TB, all brokers)', (c) => n(c.kafkaDiskTerabytes, 3)],
  ['figures/s (steady, every period kind)', (c) => n(c.figuresPerSecond, c.figuresPerSecond < 10 ? 2 : 0)],
  ['aggregator instances (≤ 50 %, at least 2)', (c) => n(c.aggregatorInstances)],
  ['a month recomputed, nothing changed, one aggregator (h)', (c) => n(c.monthRecomputeHoursOneInstance, 2)],
  ['a month computed first (or all restated), one aggregator (h)', (c) => n(c.monthFirstComputationHoursOneInstance, 2)],
  ['  the same, floor set by one InfluxDB node\'s figure writes (h)', (c) => n(c.monthFirstComputationHoursInfluxBound, 2)],
  ['alerter instances (ticks, ≤ 50 %, at least 2)', (c) => n(c.alerterInstances)],
  ['InfluxDB nodes by write rate (≤ 50 %)', (c) => n(c.influxNodes)],
  ['InfluxDB series', (c) => n(c.series)],
  ['readings a year', (c) => n(c.readingsPerYear)],
  ['InfluxDB TB a year, readings + figures, at 25 B a point', (c) => n(c.influxTerabytesPerYear, 3)],
];

/** The model's results for each scale as a Markdown table, a column per scale. */
export function capacityTable(scenarios: readonly Scenario[]): string {
  const results = scenarios.map((s) => capacity(s));
  const head = `| | ${scenarios.map((s) => s.name).join(' | ')} |`;
  const rule = `|---|${scenarios.map(() => '---:').join('|')}|`;
  const body = ROWS.map(([label, cell]) => `| ${label} | ${results.map(cell).join(' | ')} |`);
  return [head, rule, ...body].join('\n');
}
