import { createHash, randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { writeFigures } from '@meterline/aggregator';
import { KafkaBus } from '@meterline/bus-kafka';
import { FIGURE_KINDS as K, nextEntry, type FigureKind, type FigureV1, type RestatementV1 } from '@meterline/contracts';
import { registryPublisher } from '@meterline/feeds';
import { READING_FIELDS, READING_TAGS, READINGS_MEASUREMENT } from '@meterline/series';
import { createTopics, freePorts } from '@meterline/local-stack';
import { InfluxStore } from '@meterline/store-influx';
import { runApiFuzzer, type FuzzRun } from '../harness/api-fuzzer.ts';
import { serviceProcess, type ServiceProcess } from '../harness/service-process.ts';
import { stackEnv } from '../harness/stack-env.ts';

/**
 * Issue 6: a property-based fuzzer (schemathesis) run on the committed OpenAPI document
 * against the API as its built bundle, on a real InfluxDB seeded with figures, restatements
 * and readings, reading its registry from a registry topic of its own (so registry uploads are
 * served, and fuzzed). No request may get a 5xx, and every response must have a documented
 * status and media type and match its schema, for an admin key and for an enterprise key
 * (mostly 403 problem+json). Devices' broker credentials are not fuzzed: they need the broker's
 * admin account, which no in-memory twin can stand in for in a separate process, so this API
 * runs without one and does not serve those routes (they are excluded from the run).
 */

const OPENAPI = join(import.meta.dirname, '..', '..', 'services', 'api', 'openapi.json');
const SEED = 20_260_306;
// Test cases per operation and phase: about 1 500 requests for the admin key, 20 s on two cores.
const MAX_EXAMPLES = 100;
/** Served only with the broker's admin account (MTL_BROKER_ADMIN_*), which this run does not give the API. */
const NOT_SERVED = '/credentials';

// The ids the OpenAPI document's examples name (cq-autoparts, cq-plant-a, cq-e-main, March
// 2026, cn-2023 1.0.0), so that the fuzzer's example phase reads real rows; cq-autoparts is
// the registry upload's example, so its example upload changes nothing.
const MANIFEST = {
  version: 1,
  enterprises: [
    {
      id: 'cq-autoparts',
      name: 'Chongqing Auto Parts',
      region: 'CN-CQ',
      gridRegion: 'southwest',
      timeZone: 'Asia/Shanghai',
      factorSet: { name: 'cn-2023', version: '1.0.0' },
      scope2Level: 'provincial',
      sites: [
        {
          id: 'cq-plant-a',
          name: 'Plant A',
          meteringPoints: [
            {
              id: 'cq-e-main',
              carrier: 'electricity',
              quantity: 'active-energy-import',
              unit: 'kWh',
              accuracyClass: 0.5,
              calibration: { certificate: 'CQ-1', validFrom: '2024-01-01', validUntil: '2030-01-01' },
              topology: { role: 'boundary-input' },
            },
            {
              id: 'cq-e-press',
              name: 'Press line',
              carrier: 'electricity',
              quantity: 'active-energy-import',
              unit: 'kWh',
              accuracyClass: 1,
              calibration: { certificate: 'CQ-2', validFrom: '2024-01-01', validUntil: '2025-06-30' },
              topology: { role: 'sub-meter', parent: 'cq-e-main' },
            },
          ],
        },
      ],
      devices: [{ id: 'cq-dev-1', kind: 'meter', meteringPoints: ['cq-e-main', 'cq-e-press'] }],
    },
    {
      id: 'js-textiles',
      name: 'Jiangsu Textiles',
      region: 'CN-JS',
      gridRegion: 'east',
      timeZone: 'Asia/Shanghai',
      factorSet: { name: 'cn-2023', version: '1.0.0' },
      scope2Level: 'provincial',
      sites: [
        {
          id: 'js-mill',
          name: 'Mill',
          meteringPoints: [
            {
              id: 'js-e-main',
              carrier: 'electricity',
              quantity: 'active-energy-import',
              unit: 'kWh',
              accuracyClass: 0.5,
              calibration: { certificate: 'JS-1', validFrom: '2024-01-01', validUntil: '2030-01-01' },
              topology: { role: 'boundary-input' },
            },
          ],
        },
      ],
      devices: [{ id: 'js-dev-1', kind: 'meter', meteringPoints: ['js-e-main'] }],
    },
  ],
};

const SECRETS = { admin: randomUUID(), regulator: randomUUID(), enterprise: randomUUID() };
const sha256 = (secret: string) => createHash('sha256').update(secret, 'utf8').digest('hex');
const API_KEYS = {
  version: 1,
  keys: [
    { id: 'fuzz-admin', sha256: sha256(SECRETS.admin), role: 'admin' },
    { id: 'fuzz-regulator', sha256: sha256(SECRETS.regulator), role: 'regulator', jurisdiction: ['CN-CQ'] },
    // Another enterprise's key: every cq-autoparts request, the examples among them, is refused.
    { id: 'fuzz-js-textiles', sha256: sha256(SECRETS.enterprise), role: 'enterprise', enterpriseId: 'js-textiles' },
  ],
};

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
/** 2026-03-01T00:00:00+08:00 */
const MARCH_1 = Date.UTC(2026, 1, 28, 16);
const localKey = (ms: number) => new Date(ms + 8 * HOUR_MS).toISOString().slice(0, 10);

function figure(measurement: FigureKind, subject: Record<string, string>, day: number, value: number, detail: FigureV1['detail'] = {}): FigureV1 {
  const startMs = MARCH_1 + day * DAY_MS;
  return {
    measurement,
    enterpriseId: 'cq-autoparts',
    subject,
    periodKind: 'day',
    periodKey: localKey(startMs),
    startMs,
    endMs: startMs + DAY_MS,
    value,
    unit: measurement === K.carbon ? 'tCO2' : measurement === K.consumption || measurement === K.energyBalance ? 'kWh' : 'tce',
    expandedUncertainty: value * 0.01,
    coveragePercent: day === 1 ? 95.5 : 100,
    estimated: day === 1 ? value * 0.045 : 0,
    flags: day === 1 ? ['GAP_FILLED'] : [],
    factorSet: 'cn-2023@1.0.0',
    registryVersion: 'fuzz-r1',
    revision: day === 0 ? 1 : 0,
    detail,
  };
}

function seedFigures(): { figures: FigureV1[]; restatements: RestatementV1[] } {
  const figures: FigureV1[] = [];
  for (let day = 0; day < 3; day++) {
    const point = { site: 'cq-plant-a', carrier: 'electricity', quantity: 'active-energy-import' };
    figures.push(figure(K.consumption, { ...point, point: 'cq-e-main', role: 'boundary-input' }, day, 4_800 + day, { suspect_intervals: 0, outside_calibration: 0, tce: 0.59, tce_u: 0.003 }));
    figures.push(figure(K.consumption, { ...point, point: 'cq-e-press', role: 'sub-meter' }, day, 3_100 + day, { suspect_intervals: day, outside_calibration: 96 }));
    figures.push(figure(K.standardCoal, { region: 'CN-CQ', level: 'site', site: 'cq-plant-a', basis: 'equivalent' }, day, 0.59 + day / 100));
    figures.push(figure(K.energyBalance, { site: 'cq-plant-a', node: 'cq-e-main', carrier: 'electricity' }, day, 1_700, { input: 4_800, children_sum: 3_100, significant: true, children: 'cq-e-press' }));
    figures.push(figure(K.carbon, { region: 'CN-CQ', scope: 'total-location' }, day, 2.7 + day / 10));
    figures.push(figure(K.intensity, { region: 'CN-CQ', site: 'cq-plant-a', product: 'hub', metric: 'tce' }, day, 0.012, { production: 50, production_unit: 'piece' }));
  }
  const restated = figures[0]!;
  const published = { value: 4_750, expandedUncertainty: 47.5, coveragePercent: 90, flags: ['GAP'], factorSet: 'cn-2023@1.0.0', registryVersion: 'fuzz-r1', revision: 0 };
  const restatements: RestatementV1[] = [
    {
      v: 1,
      restatementId: 'fuzz-restatement-1',
      enterpriseId: 'cq-autoparts',
      measurement: restated.measurement,
      subject: restated.subject,
      periodKind: 'day',
      periodKey: restated.periodKey,
      startMs: restated.startMs,
      unit: 'kWh',
      old: published,
      new: { ...published, value: restated.value, expandedUncertainty: restated.expandedUncertainty, coveragePercent: 100, flags: [], revision: 1 },
      reason: 'READINGS_CHANGED',
      detail: 'late readings',
      restatedAt: '2026-03-05T01:00:00.000Z',
    },
  ];
  return { figures, restatements };
}

/** Readings the way the writer stores them (readingPoint): one series per point. */
function seedReadings() {
  const T = READING_TAGS;
  const F = READING_FIELDS;
  return Array.from({ length: 24 }, (_, i) => ({
    measurement: READINGS_MEASUREMENT,
    tags: { [T.enterprise]: 'cq-autoparts', [T.site]: 'cq-plant-a', [T.point]: 'cq-e-main', [T.carrier]: 'electricity', [T.quantity]: 'active-energy-import', [T.device]: 'cq-dev-1' },
    fields: { [F.value]: 120_000 + i * 200, [F.quality]: i === 7 ? 'suspect' : 'good' },
    timestampMs: MARCH_1 + i * HOUR_MS,
  }));
}

let api: ServiceProcess;
let baseUrl: string;
let workDir: string;

beforeAll(async () => {
  const { stack } = stackEnv();
  workDir = await mkdtemp(join(tmpdir(), 'meterline-api-fuzz-'));
  const database = `e2e_fuzz_${randomUUID().slice(0, 8)}`;
  const store = new InfluxStore({ url: stack.influx.url, token: stack.influx.token, database });
  await store.influxQl(`CREATE DATABASE ${database}`);
  const { figures, restatements } = seedFigures();
  await writeFigures(store, figures, restatements, 5_000);
  await store.write(seedReadings());
  await store.close();

  // Subscriptions and silences, the registry and custom factor sets live on compacted topics of this run's own.
  const run = randomUUID().slice(0, 8);
  const alertingTopic = `e2e-fuzz-${run}.alerting.v1`;
  const registryTopic = `e2e-fuzz-${run}.registry.v1`;
  const factorSetsTopic = `e2e-fuzz-${run}.factor-sets.v1`;
  const aggregationJobsTopic = `e2e-fuzz-${run}.aggregation-jobs.v1`;
  // The aggregator's announcements, which the API's figure cache follows (none come: its figures are fuzzed as cached).
  const figuresTopic = `e2e-fuzz-${run}.figures.v1`;
  const restatementsTopic = `e2e-fuzz-${run}.restatements.v1`;
  await createTopics(stack.kafka.brokers, [
    { topic: aggregationJobsTopic, partitions: 3 },
    { topic: figuresTopic, partitions: 3 },
    { topic: restatementsTopic, partitions: 3 },
    { topic: alertingTopic, partitions: 3, configs: { 'cleanup.policy': 'compact' } },
    { topic: registryTopic, partitions: 3, configs: { 'cleanup.policy': 'compact' } },
    { topic: factorSetsTopic, partitions: 1, configs: { 'cleanup.policy': 'compact' } },
  ]);
  // The manifest's enterprises, each as its first version, as `meterline registry push` publishes them.
  const bus = new KafkaBus({ brokers: [...stack.kafka.brokers], clientId: `e2e-fuzz-${run}` });
  try {
    const producer = await bus.producer();
    const publisher = registryPublisher(producer, registryTopic);
    for (const enterprise of MANIFEST.enterprises) await publisher.publish(nextEntry(undefined, enterprise, 'cli:e2e-fuzz').entry);
    await producer.close();
  } finally {
    await bus.close();
  }
  const keysFile = join(workDir, 'api-keys.yaml');
  await writeFile(keysFile, stringify(API_KEYS));
  const [port] = (await freePorts(1)) as [number];
  baseUrl = `http://127.0.0.1:${port}`;
  api = serviceProcess(
    'api',
    {
      MTL_INFLUX_URL: stack.influx.url,
      MTL_INFLUX_TOKEN: stack.influx.token,
      MTL_INFLUX_DATABASE: database,
      MTL_REGISTRY_TOPIC: registryTopic,
      MTL_API_KEYS_FILE: keysFile,
      MTL_KAFKA_BROKERS: stack.kafka.brokers.join(','),
      MTL_ALERTING_TOPIC: alertingTopic,
      MTL_FACTOR_SETS_TOPIC: factorSetsTopic,
      MTL_AGGREGATION_JOBS_TOPIC: aggregationJobsTopic,
      MTL_FIGURES_TOPIC: figuresTopic,
      MTL_RESTATEMENTS_TOPIC: restatementsTopic,
      MTL_PORT: String(port),
      // The fuzzer is one client sending thousands of requests: the limit is not under test here.
      MTL_RATE_LIMIT_MAX: '1000000',
      MTL_LOG_LEVEL: 'warn',
    },
    workDir,
  );
  await api.start();
});

afterAll(async () => {
  await api?.stop();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

const V1_ROUTES = [
  '/v1/enterprises',
  '/v1/enterprises/:id',
  '/v1/factor-sets',
  '/v1/factor-sets/:name/:version',
  '/v1/enterprises/:id/figures',
  '/v1/enterprises/:id/restatements',
  '/v1/enterprises/:id/points/:pointId/readings',
  '/v1/enterprises/:id/reports/:month',
  '/v1/enterprises/:id/alerts',
  '/v1/enterprises/:id/alerts/history',
  '/v1/enterprises/:id/alert-deliveries',
  '/v1/enterprises/:id/alert-subscriptions',
  '/v1/enterprises/:id/silences',
  '/v1/enterprises/:id/registry',
];

/** The statuses each route template has answered so far, from the API's own request counter: by template, and by method and template. */
async function answeredStatuses(): Promise<Map<string, string[]>> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  const statuses = new Map<string, string[]>();
  const add = (key: string, status: string) => statuses.set(key, [...(statuses.get(key) ?? []), status]);
  for (const [, labels = '', count] of text.matchAll(/^meterline_api_requests_total\{([^}]*)\} (\d+)/gm)) {
    const method = /method="([^"]*)"/.exec(labels)?.[1];
    const route = /route="([^"]*)"/.exec(labels)?.[1];
    const status = /status="(\d+)"/.exec(labels)?.[1];
    if (!method || !route || !status || Number(count) === 0) continue;
    add(route, status);
    add(`${method} ${route}`, status);
  }
  return statuses;
}

function report(run: FuzzRun): string {
  return [run.command, `${run.operations} operations, ${run.testCases} test cases, exit ${run.exitCode}`, ...run.failures, run.output].join('\n\n');
}

describe('API fuzzing on the OpenAPI document (issue 6)', () => {
  it('admin key: no 5xx, and every response has a documented status, media type and schema', async () => {
    const run = await runApiFuzzer({ openapi: OPENAPI, baseUrl, secret: SECRETS.admin, seed: SEED, maxExamples: MAX_EXAMPLES, workDir, label: 'admin', excludePathRegex: NOT_SERVED });
    console.log(`api fuzz (admin): ${run.operations} operations, ${run.testCases} test cases\n${run.command}\n${run.summary}`);
    expect(run.exitCode, report(run)).toBe(0);
    expect(run.failures, report(run)).toEqual([]);
    expect(run.operations).toBeGreaterThanOrEqual(V1_ROUTES.length + 3);
    // The fuzzer reached each route's own logic, not only its validation: every /v1 route answered 200.
    const answered = await answeredStatuses();
    for (const route of V1_ROUTES) expect(answered.get(route), route).toContain('200');
    // Uploads too, not only the entry's read: at least the documented example (the entry in force, so unchanged).
    console.log(`PUT /v1/enterprises/:id/registry answered ${[...new Set(answered.get('PUT /v1/enterprises/:id/registry'))].sort().join(', ')}`);
    expect(answered.get('PUT /v1/enterprises/:id/registry')).toContain('200');
    // A custom factor set was added (the documented example, first time) and an enterprise pinned to a set.
    for (const write of ['POST /v1/factor-sets', 'PUT /v1/enterprises/:id/factor-set']) console.log(`${write} answered ${[...new Set(answered.get(write))].sort().join(', ')}`);
    expect(answered.get('POST /v1/factor-sets')).toContain('201');
    expect(answered.get('PUT /v1/enterprises/:id/factor-set')).toContain('200');
    // What was left out is not served by this instance (no broker admin account).
    const credentials = await fetch(`${baseUrl}/v1/enterprises/cq-autoparts/devices/cq-dev-1/credentials`, { method: 'POST', headers: { authorization: `Bearer ${SECRETS.admin}` } });
    expect(await credentials.json()).toMatchObject({ status: 404, code: 'MTL_API_ROUTE_NOT_FOUND' });
  });

  it("another enterprise's key: refusals are documented problem+json, never a 5xx", async () => {
    const run = await runApiFuzzer({ openapi: OPENAPI, baseUrl, secret: SECRETS.enterprise, seed: SEED, maxExamples: MAX_EXAMPLES / 2, workDir, label: 'enterprise', excludePathRegex: NOT_SERVED });
    console.log(`api fuzz (enterprise): ${run.operations} operations, ${run.testCases} test cases\n${run.command}\n${run.summary}`);
    expect(run.exitCode, report(run)).toBe(0);
    expect(run.failures, report(run)).toEqual([]);
    const answered = await answeredStatuses();
    for (const route of V1_ROUTES.filter((r) => r.startsWith('/v1/enterprises/'))) expect(answered.get(route), route).toContain('403');
  });
});
