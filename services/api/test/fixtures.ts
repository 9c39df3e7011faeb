import { InMemoryDeviceAccounts, type DeviceAccounts } from '@meterline/broker-accounts';
import { InMemoryBus, type BusProducer } from '@meterline/bus';
import { FIGURE_KINDS, nextEntry, type AlertingChangeV1, type AlertV1, type FigureKind } from '@meterline/contracts';
import { trackSequence } from '@meterline/device-sequence';
import { createFactorCatalog, parseManifest, type Manifest } from '@meterline/domain';
import {
  alertingTopicGroupId, factorSetTopicGroupId, publishFactorSet, registryPublisher, registryTopicGroupId, startAlertingTopicReader, startTopicFactorCatalog,
  startTopicRegistrySource, type AlertingRecordRejected, type FactorSetRecordRejected, type RegistryRecordRejected, type TopicRegistrySource,
} from '@meterline/feeds';
import { createMetricsRegistry } from '@meterline/service-kit';
import {
  alertRecordPoints, deliveryPoint as storedDeliveryPoint, FIGURE_DETAIL_FIELDS, figurePoint, manualEntryPoint, READING_FIELDS, READING_TAGS, READINGS_MEASUREMENT, readingTags, restatementPoint,
  sequenceEventPoint, sequenceStatePoint, targetPoint,
} from '@meterline/series';
import { InMemoryStore, type SeriesPoint, type TimeSeriesStore } from '@meterline/store';
import { alertingDirectory } from '../src/alerting/alerting-directory.ts';
import { topicAlertingWriter } from '../src/alerting/alerting-writer.ts';
import { buildApi, type ApiDeps } from '../src/app.ts';
import { sha256Hex, type ApiKeysFile } from '../src/auth/api-keys.ts';
import { customFactorSets } from '../src/factor-sets/custom-factor-sets.ts';
import { registryUploads } from '../src/registry/registry-uploads.ts';
import { fixedRegistry } from '../src/registry/registry-view.ts';
import { storeSeriesPageReader } from '../src/series/series-page-reader.ts';

/** Two enterprises in two regions; B's names and values are markers a leak would show. */
const MANIFEST_YAML = `
version: 1
enterprises:
  - id: ent-a
    name: Alpha Stamping Works
    region: CN-CQ
    gridRegion: southwest
    timeZone: Asia/Shanghai
    factorSet: { name: cn-2023, version: 1.0.0 }
    scope2Level: provincial
    sites:
      - id: a-site
        name: Alpha plant
        meteringPoints:
          - id: a-e-main
            carrier: electricity
            quantity: active-energy-import
            unit: kWh
            accuracyClass: 0.5
            calibration: { certificate: A-1, validFrom: 2024-01-01, validUntil: 2030-01-01 }
            topology: { role: boundary-input }
    devices:
      - { id: a-dev, kind: meter, meteringPoints: [a-e-main] }
  - id: ent-b
    name: Bravo Secret Textiles
    region: CN-JS
    gridRegion: east
    timeZone: Asia/Shanghai
    factorSet: { name: cn-2023, version: 1.0.0 }
    scope2Level: provincial
    sites:
      - id: b-site
        name: Bravo hidden mill
        meteringPoints:
          - id: b-e-main
            name: Bravo incomer
            carrier: electricity
            quantity: active-energy-import
            unit: kWh
            accuracyClass: 0.5
            calibration: { certificate: B-1, validFrom: 2024-01-01, validUntil: 2026-01-01 }
            topology: { role: boundary-input }
    devices:
      - { id: b-dev, kind: meter, meteringPoints: [b-e-main] }
      - { id: b-gw, kind: gateway, meteringPoints: [b-e-main] }
    products:
      - { product: glass-sheet, limitProduct: flat-glass, site: b-site, plant: existing }
`;

export function testManifest(): Manifest {
  const parsed = parseManifest(MANIFEST_YAML, 'test-manifest.yaml');
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  return parsed.manifest;
}

/** What a response must never show to a key that may not read enterprise B. */
export const B_MARKERS = ['Bravo Secret Textiles', 'Bravo hidden mill', 'Bravo incomer', '987654.321', '123456.789', 'b-dev', 'bravo-hooks.example.net'];

export const SECRETS = {
  admin: 'admin-secret-0123456789abcdef0123456789',
  regulatorCq: 'regulator-cq-secret-0123456789abcdef',
  regulatorJs: 'regulator-js-secret-0123456789abcdef',
  enterpriseA: 'enterprise-a-secret-0123456789abcdef',
  enterpriseB: 'enterprise-b-secret-0123456789abcdef',
} as const;

export const API_KEYS: ApiKeysFile = {
  version: 1,
  keys: [
    { id: 'ops-admin', sha256: sha256Hex(SECRETS.admin), role: 'admin' },
    { id: 'cq-regulator', sha256: sha256Hex(SECRETS.regulatorCq), role: 'regulator', jurisdiction: ['CN-CQ'] },
    { id: 'js-regulator', sha256: sha256Hex(SECRETS.regulatorJs), role: 'regulator', jurisdiction: ['CN-JS'] },
    { id: 'a-energy-manager', sha256: sha256Hex(SECRETS.enterpriseA), role: 'enterprise', enterpriseId: 'ent-a' },
    { id: 'b-energy-manager', sha256: sha256Hex(SECRETS.enterpriseB), role: 'enterprise', enterpriseId: 'ent-b' },
  ],
};

export const DAY_MS = 86_400_000;
/** 2026-03-01T00:00:00+08:00 */
export const MARCH_1 = Date.UTC(2026, 1, 28, 16);

const HOUR_MS = 3_600_000;

/** A day figure (or an hour's) as the aggregator stores it. */
export function storedFigure(enterprise: string, kind: FigureKind, subject: Record<string, string>, startMs: number, value: number, periodKind: 'day' | 'hour' = 'day'): SeriesPoint {
  const local = new Date(startMs + 8 * HOUR_MS).toISOString();
  return figurePoint({
    measurement: kind,
    enterpriseId: enterprise,
    subject,
    periodKind,
    periodKey: periodKind === 'day' ? local.slice(0, 10) : `${local.slice(0, 19)}+08:00`,
    startMs,
    endMs: startMs + (periodKind === 'day' ? DAY_MS : HOUR_MS),
    value,
    unit: kind === FIGURE_KINDS.carbon ? 'tCO2' : 'kWh',
    expandedUncertainty: 1.5,
    coveragePercent: 99.5,
    estimated: 0,
    flags: ['GAP_FILLED', 'LATE'],
    factorSet: 'cn-2023@1.0.0',
    registryVersion: 'r1',
    revision: 0,
    detail: {
      [FIGURE_DETAIL_FIELDS.tce]: value * 0.0001229,
      // 84 of 96 quarter-hourly readings: 87.5 % (issue 15)
      [FIGURE_DETAIL_FIELDS.completeness]: 87.5,
      [FIGURE_DETAIL_FIELDS.readingsReceived]: 84,
      [FIGURE_DETAIL_FIELDS.readingsExpected]: 96,
    },
  });
}

function storedRestatement(enterprise: string, startMs: number, oldValue: number, newValue: number): SeriesPoint {
  const published = { factorSet: 'cn-2023@1.0.0', registryVersion: 'r1' };
  return restatementPoint({
    v: 1,
    restatementId: `rs-${enterprise}-${startMs}`,
    enterpriseId: enterprise,
    measurement: FIGURE_KINDS.consumption,
    subject: { point: enterprise === 'ent-a' ? 'a-e-main' : 'b-e-main' },
    periodKind: 'day',
    periodKey: '2026-03-01',
    startMs,
    unit: 'kWh',
    old: { value: oldValue, expandedUncertainty: 1, coveragePercent: 90, flags: ['GAP'], ...published, revision: 0 },
    new: { value: newValue, expandedUncertainty: 1.2, coveragePercent: 100, flags: [], ...published, revision: 1 },
    reason: 'READINGS_CHANGED',
    detail: 'late readings',
    restatedAt: '2026-03-05T01:00:00.000Z',
  });
}

/** A reading as the writer stores it. */
function storedReading(enterprise: string, site: string, point: string, tsMs: number, value: number): SeriesPoint {
  return {
    measurement: READINGS_MEASUREMENT,
    tags: { ...readingTags(enterprise, point), [READING_TAGS.site]: site, [READING_TAGS.carrier]: 'electricity', [READING_TAGS.quantity]: 'active-energy-import', [READING_TAGS.device]: enterprise === 'ent-a' ? 'a-dev' : 'b-dev' },
    fields: { [READING_FIELDS.value]: value, [READING_FIELDS.quality]: 'good' },
    timestampMs: tsMs,
  };
}

/** The id of B's seeded manual entry. */
export const B_MANUAL_ENTRY = 'me-b00000000000000000001';

/** B's dual-control target (its document a marker), and one of B's region CN-JS. */
export const B_TARGET = 'tg-b00000000000000000001';
export const CN_JS_TARGET = 'tg-b00000000000000000002';

/** B's judged figures of March 2026, as the aggregator stores them; the values are markers, the rest only plausible. */
function judgedFiguresOfB(): SeriesPoint[] {
  const D = FIGURE_DETAIL_FIELDS;
  const march = { enterpriseId: 'ent-b', periodKind: 'month' as const, periodKey: '2026-03', startMs: MARCH_1, endMs: Date.UTC(2026, 2, 31, 16), coveragePercent: 99, estimated: 0, flags: [], factorSet: 'cn-2023@1.0.0', registryVersion: 'r1', revision: 0 };
  return [
    figurePoint({
      ...march,
      measurement: FIGURE_KINDS.targetProgress,
      subject: { region: 'CN-JS', metric: 'energy-total', basis: 'equivalent' },
      value: 987654.321,
      unit: 'tce',
      expandedUncertainty: 1000,
      detail: { [D.verdict]: 'exceeded', [D.judgedAgainst]: `${B_TARGET}@48500`, [D.ceiling]: 48_500, [D.toDate]: 123456.789, [D.toDateExpandedU]: 500, [D.months]: 3, [D.profile]: 'uniform', [D.statusRule]: 'Exceeded: …', [D.year]: 2026 },
    }),
    figurePoint({
      ...march,
      measurement: FIGURE_KINDS.limitCompliance,
      subject: { region: 'CN-JS', product: 'glass-sheet', standard: 'flat-glass', span: 'month', site: 'b-site' },
      value: 987654.321,
      unit: 'kgce/weight-box',
      expandedUncertainty: 1,
      detail: { [D.verdict]: 'unconfirmed', [D.judgedAgainst]: 'cn-energy-limit-standards@1', [D.bindingGrade]: 'limit', [D.standardNumber]: 'GB 21340-2019', [D.clause]: '', [D.limitVerdict]: 'unconfirmed', [D.accessVerdict]: 'unconfirmed', [D.advancedVerdict]: 'unconfirmed', [D.months]: 1, [D.production]: 1000, [D.productionUnit]: 'weight-box' },
    }),
    // B's fabrication finding of March (issue 20): its summary and evidence carry the marker.
    figurePoint({
      ...march,
      measurement: FIGURE_KINDS.fabricationFinding,
      subject: { point: 'b-e-main', detector: 'flat-register' },
      value: 1,
      unit: 'finding',
      expandedUncertainty: 0,
      detail: { [D.verdict]: 'found', [D.findingSummary]: 'b-e-main stood at 987654.321 while its parent moved', [D.evidence]: JSON.stringify({ register: 987654.321 }) },
    }),
  ];
}

/** Both enterprises have figures, restatements and readings, B a manual entry and a target; B's carry the marker values. */
async function seededStore(): Promise<InMemoryStore> {
  const store = new InMemoryStore();
  const points: SeriesPoint[] = [];
  for (let day = 0; day < 3; day++) {
    const start = MARCH_1 + day * DAY_MS;
    const { consumption, carbon } = FIGURE_KINDS;
    points.push(storedFigure('ent-a', consumption, { site: 'a-site', point: 'a-e-main', carrier: 'electricity', quantity: 'active-energy-import', role: 'boundary-input' }, start, 100 + day));
    points.push(storedFigure('ent-b', consumption, { site: 'b-site', point: 'b-e-main', carrier: 'electricity', quantity: 'active-energy-import', role: 'boundary-input' }, start, 987654.321));
    points.push(storedFigure('ent-a', carbon, { region: 'CN-CQ', scope: 'scope1' }, start, 10 + day));
    points.push(storedFigure('ent-b', carbon, { region: 'CN-JS', scope: 'scope1' }, start, 987654.321));
    // B's standard coal of the day: what an enterprise's energy baseline regresses (issue 20).
    points.push(storedFigure('ent-b', FIGURE_KINDS.standardCoal, { region: 'CN-JS', level: 'enterprise', basis: 'equivalent' }, start, 987654.321));
    // B's night hours: what a base load is the mean of (issue 20).
    for (let hour = 0; hour < 5; hour++) {
      points.push(storedFigure('ent-b', consumption, { site: 'b-site', point: 'b-e-main', carrier: 'electricity', quantity: 'active-energy-import', role: 'boundary-input' }, start + hour * HOUR_MS, 987654.321, 'hour'));
    }
    points.push(storedReading('ent-a', 'a-site', 'a-e-main', start + 3_600_000, 5000 + day));
    points.push(storedReading('ent-b', 'b-site', 'b-e-main', start + 3_600_000, 123456.789));
  }
  // B's production report of February, entered by hand: its value is a marker.
  points.push(manualEntryPoint({ id: B_MANUAL_ENTRY, enterpriseId: 'ent-b', kind: 'production', period: '2026-02', product: 'cloth', value: 987654.321, unit: 'm2', document: 'production report 2026-02', enteredBy: 'b-energy-manager', enteredAt: '2026-03-02T01:00:00.000Z' }));
  points.push(targetPoint({ id: B_TARGET, holder: { kind: 'enterprise', enterpriseId: 'ent-b' }, year: 2026, metric: 'energy-total', basis: 'equivalent', value: 48_500, document: 'Bravo Secret Textiles target agreement 2026', enteredBy: 'js-regulator', enteredAt: '2026-01-20T02:00:00.000Z' }));
  points.push(targetPoint({ id: CN_JS_TARGET, holder: { kind: 'region', region: 'CN-JS' }, year: 2026, metric: 'co2-total', value: 700_000_000, document: 'Jiangsu carbon peaking plan, 2026', enteredBy: 'js-regulator', enteredAt: '2026-01-10T02:00:00.000Z' }));
  // B's progress on its target and its product's limit compliance as of March (issue 16): their values are markers.
  points.push(...judgedFiguresOfB());
  points.push(storedRestatement('ent-a', MARCH_1, 100, 101));
  points.push(storedRestatement('ent-b', MARCH_1, 987654.321, 987654.321));
  // B's devices as the alerter's sequence tracking stores them: b-dev's counts, and a gap of b-gw's carrying a marker value.
  const seen = trackSequence(undefined, { seq: 7, sha256: '0'.repeat(64), atMs: MARCH_1 }).state;
  points.push(sequenceStatePoint({ enterpriseId: 'ent-b', deviceId: 'b-dev', state: seen, applied: undefined }));
  points.push(sequenceEventPoint('ent-b', 'b-gw', { kind: 'gap', seq: 9, previousSeq: 7, lost: 123456.789 }, { atMs: MARCH_1 + 3_600_000, sha256: '1'.repeat(64) })!);
  await store.write(points);
  return store;
}

/** An alert of enterprise B or A; B's summary carries a marker. */
export function alertOf(enterprise: 'ent-a' | 'ent-b', point: string, over: Partial<AlertV1> = {}): AlertV1 {
  const startsAt = over.startsAt ?? '2026-03-02T01:00:00.000Z';
  return {
    alertId: `alert-${enterprise}-${point}-${startsAt}`,
    dedupKey: `${enterprise}/meter-offline/point=${point}`,
    enterpriseId: enterprise,
    rule: 'meter-offline',
    severity: 'critical',
    subject: { point },
    status: 'firing',
    startsAt,
    summary: enterprise === 'ent-b' ? `Bravo incomer ${point} silent for 45 min` : `${point} silent for 45 min`,
    value: 45,
    threshold: 30,
    unit: 'min',
    ...over,
  };
}

/** The alerter's stored state of an alert, as it stores it: the current record and its history point. */
export const alertPoints = (alert: AlertV1): SeriesPoint[] => alertRecordPoints({ alert, asOfMs: Date.parse(alert.startsAt) });

/** One webhook attempt as the alerter's delivery log stores it (the alert deliveries series). */
export function deliveryPoint(
  enterprise: string,
  subscription: string,
  atMs: number,
  attempt: { attempt: number; outcome: 'delivered' | 'retrying' | 'dead'; httpStatus?: number; error?: string },
): SeriesPoint {
  return storedDeliveryPoint({
    enterpriseId: enterprise,
    subscriptionId: subscription,
    notificationId: `n-${enterprise}-1`,
    rule: 'meter-offline',
    status: 'firing',
    atMs,
    durationMs: 12,
    alerts: 1,
    ...attempt,
  });
}

/** Alerts (one firing, one resolved each) and delivery attempts of both enterprises; B's carry markers. */
export async function seedAlerts(store: Pick<TimeSeriesStore, 'write'>): Promise<void> {
  await store.write([
    ...alertPoints(alertOf('ent-a', 'a-e-main')),
    ...alertPoints(alertOf('ent-a', 'a-e-spare', { status: 'resolved', startsAt: '2026-03-01T01:00:00.000Z', endsAt: '2026-03-01T03:00:00.000Z' })),
    ...alertPoints(alertOf('ent-b', 'b-e-main')),
    ...alertPoints(alertOf('ent-b', 'b-e-spare', { status: 'resolved', startsAt: '2026-03-01T01:00:00.000Z', endsAt: '2026-03-01T03:00:00.000Z' })),
    deliveryPoint('ent-a', 'a-hook', Date.parse('2026-03-02T01:00:01Z'), { attempt: 1, outcome: 'delivered', httpStatus: 204 }),
    deliveryPoint('ent-b', 'b-hook', Date.parse('2026-03-02T01:00:01Z'), { attempt: 1, outcome: 'retrying', httpStatus: 503, error: 'receiver answered 503: Bravo Secret Textiles gateway down' }),
    deliveryPoint('ent-b', 'b-hook', Date.parse('2026-03-02T01:00:05Z'), { attempt: 2, outcome: 'delivered', httpStatus: 200 }),
  ]);
}

export const ALERTING_TOPIC = 'meterline.alerting.v1';
const SEEDED_AT = '2026-03-01T00:00:00.000Z';

/** Each enterprise has a subscription and a silence on the alerting topic; B's URL and comment carry markers, B's secret must never show. */
export const SEEDED_ALERTING: AlertingChangeV1[] = [
  ...(['a', 'b'] as const).flatMap((x): AlertingChangeV1[] => [
    {
      v: 1,
      kind: 'subscription',
      subscription: {
        id: `${x}-hook`,
        enterpriseId: `ent-${x}`,
        url: x === 'b' ? 'https://bravo-hooks.example.net/meterline' : 'https://alpha.example.org/hook',
        secret: `${x}-webhook-secret-never-shown-0123456789`,
        format: 'meterline',
        minSeverity: 'info',
        rateLimit: { perMinute: 6, burst: 3 },
        createdAt: SEEDED_AT,
      },
      changedAt: SEEDED_AT,
      changedBy: 'ops-admin',
    },
    {
      v: 1,
      kind: 'silence',
      silence: {
        id: `${x}-quiet`,
        enterpriseId: `ent-${x}`,
        rules: ['meter-offline'],
        endsAt: '2026-04-01T00:00:00+08:00',
        comment: x === 'b' ? 'Bravo hidden mill shut for maintenance' : 'Alpha plant maintenance',
        createdBy: `${x}-energy-manager`,
        createdAt: SEEDED_AT,
      },
      changedAt: SEEDED_AT,
      changedBy: `${x}-energy-manager`,
    },
  ]),
];

export const REGISTRY_TOPIC = 'meterline.registry.v1';
export const FACTOR_SETS_TOPIC = 'meterline.factor-sets.v1';
/** 2026-03-10 in Asia/Shanghai: the API's clock in tests. */
export const TEST_NOW = Date.UTC(2026, 2, 10, 4);

/** Publishes each enterprise of the manifest to the registry topic as its first version, as `meterline registry push` would. */
export async function publishManifest(producer: BusProducer, topic: string, manifest: Manifest, uploadedBy = 'cli:fixtures'): Promise<void> {
  const publisher = registryPublisher(producer, topic);
  for (const enterprise of manifest.enterprises) await publisher.publish(nextEntry(undefined, enterprise, uploadedBy, new Date(SEEDED_AT)).entry);
}

export interface TestApiOptions {
  /** The producer the API writes the alerting topic with (default: the in-memory bus's); null: the API has no Kafka (no subscription and silence routes). */
  producer?: BusProducer | null;
  /** The registry (default testManifest()): on the in-memory registry topic the API reads and uploads to, or a file. */
  manifest?: Manifest;
  /** `file`: the API reads the registry as from a file, and serves no uploads. Default `topic`. */
  registry?: 'topic' | 'file';
  /** The producer uploads are published with (default: the in-memory bus's). */
  registryProducer?: BusProducer;
  /** The producer custom factor sets are published with (default: the API's producer). */
  factorSetsProducer?: BusProducer;
  /** The broker accounts behind the credential routes (default: an in-memory twin where b-gw has an account); null: no broker admin account, no credential routes. */
  deviceAccounts?: DeviceAccounts | null;
}

/** B's gateway has a broker account in every testApi() by default; its password, to show nothing changed it. */
export interface SeededDevice {
  deviceId: 'b-gw';
  password: string;
}

export async function testApi(overrides: Partial<ApiDeps> = {}, options: TestApiOptions = {}) {
  const store = await seededStore();
  await seedAlerts(store);
  const bus = new InMemoryBus();
  const rejected: AlertingRecordRejected[] = [];
  const seeder = topicAlertingWriter(bus.producer(), ALERTING_TOPIC);
  for (const change of SEEDED_ALERTING) await seeder.put(change);
  const reader = await startAlertingTopicReader({
    consumer: bus.consumer({ groupId: alertingTopicGroupId('api-test'), topics: [ALERTING_TOPIC], fromBeginning: true }),
    onRejected: (record) => rejected.push(record),
    lagPollMs: 1,
  });
  await reader.caughtUp();
  const producer = options.producer === undefined ? bus.producer() : options.producer;
  const alerting = producer === null ? undefined : alertingDirectory({ reader, writer: topicAlertingWriter(producer, ALERTING_TOPIC) });

  const manifest = options.manifest ?? testManifest();
  // With Kafka (a producer), the API's catalogue is the factor-set topic's, as in main.ts; without, the shipped sets.
  const factorSetsRejected: FactorSetRecordRejected[] = [];
  const factorSets =
    producer === null
      ? undefined
      : await startTopicFactorCatalog({
          consumer: bus.consumer({ groupId: factorSetTopicGroupId('api', 'test'), topics: [FACTOR_SETS_TOPIC], fromBeginning: true }),
          onRejected: (record) => factorSetsRejected.push(record),
          lagPollMs: 1,
        });
  await factorSets?.ready();
  const factorCatalog = factorSets?.catalog ?? createFactorCatalog();
  const custom =
    factorSets && producer
      ? customFactorSets({ reader: factorSets, publish: (record) => publishFactorSet(options.factorSetsProducer ?? producer, FACTOR_SETS_TOPIC, record), now: () => TEST_NOW, pollMs: 1 })
      : undefined;
  const registryRejected: RegistryRecordRejected[] = [];
  let registrySource: TopicRegistrySource | undefined;
  if (options.registry !== 'file') {
    await publishManifest(bus.producer(), REGISTRY_TOPIC, manifest);
    registrySource = await startTopicRegistrySource({
      consumer: bus.consumer({ groupId: registryTopicGroupId('api', 'test'), topics: [REGISTRY_TOPIC], fromBeginning: true }),
      onRejected: (record) => registryRejected.push(record),
      lagPollMs: 1,
    });
    await registrySource.ready();
  }
  const uploads = registrySource
    ? registryUploads({ reader: registrySource, publisher: registryPublisher(options.registryProducer ?? bus.producer(), REGISTRY_TOPIC), factorCatalog, now: () => TEST_NOW, pollMs: 1 })
    : undefined;

  // The default twin: b-gw has an account; `broker` shows who may connect.
  const twin = options.deviceAccounts === undefined ? new InMemoryDeviceAccounts() : undefined;
  const seededDevice: SeededDevice | undefined = twin ? { deviceId: 'b-gw', password: (await twin.create('b-gw')).password } : undefined;
  const deviceAccounts = twin ?? options.deviceAccounts ?? undefined;

  const app = buildApi({
    registry: registrySource ?? fixedRegistry(manifest),
    apiKeys: API_KEYS,
    factorCatalog,
    ...(custom ? { customFactorSets: custom } : {}),
    series: storeSeriesPageReader(store),
    store,
    ...(alerting ? { alerting } : {}),
    ...(uploads ? { registryUploads: uploads } : {}),
    ...(deviceAccounts ? { deviceAccounts } : {}),
    metrics: createMetricsRegistry('api'),
    bodyLimitBytes: 65_536,
    rateLimit: { max: 10_000, windowMs: 60_000 },
    now: () => TEST_NOW,
    ...overrides,
  });
  app.addHook('onClose', async () => {
    await reader.close();
    await registrySource?.close();
    await factorSets?.close();
  });
  await app.ready();
  return { app, store, bus, reader, rejected, registrySource, registryRejected, factorSets, factorSetsRejected, deviceAccounts, broker: twin?.broker, seededDevice };
}

export const bearer = (secret: string) => ({ authorization: `Bearer ${secret}` });
