import { createFactorCatalog, parseManifest, type Manifest } from '@meterline/domain';
import { createMetricsRegistry } from '@meterline/service-kit';
import { InMemoryStore, type SeriesPoint } from '@meterline/store';
import { buildApi, type ApiDeps } from '../src/app.ts';
import { sha256Hex, type ApiKeysFile } from '../src/auth/api-keys.ts';
import { storeSeriesPageReader } from '../src/series/series-page-reader.ts';

/** Two enterprises in two regions; B's names and values are markers a leak would show. */
export const MANIFEST_YAML = `
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
`;

export function testManifest(): Manifest {
  const parsed = parseManifest(MANIFEST_YAML, 'test-manifest.yaml');
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  return parsed.manifest;
}

/** What a response must never show to a key that may not read enterprise B. */
export const B_MARKERS = ['Bravo Secret Textiles', 'Bravo hidden mill', 'Bravo incomer', '987654.321', '123456.789', 'b-dev'];

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

/** A figure point the way services/aggregator/src/figure-series.ts stores it. */
export function figurePoint(enterprise: string, measurement: string, subject: Record<string, string>, startMs: number, value: number): SeriesPoint {
  return {
    measurement,
    tags: { enterprise, period: 'day', ...subject },
    timestampMs: startMs,
    fields: {
      value,
      unit: measurement === 'carbon' ? 'tCO2' : 'kWh',
      u: 1.5,
      coverage: 99.5,
      estimated: 0,
      flags: 'GAP_FILLED,LATE',
      factor_set: 'cn-2023@1.0.0',
      registry_version: 'r1',
      period_key: new Date(startMs + 8 * 3_600_000).toISOString().slice(0, 10),
      period_end: startMs + DAY_MS,
      revision: 0,
      tce: value * 0.0001229,
    },
  };
}

export function restatementPoint(enterprise: string, startMs: number, oldValue: number, newValue: number): SeriesPoint {
  return {
    measurement: 'restatement',
    tags: { enterprise, figure: 'consumption', period: 'day', subject: `point=${enterprise === 'ent-a' ? 'a-e-main' : 'b-e-main'}`, revision: '1' },
    timestampMs: startMs,
    fields: {
      restatement_id: `rs-${enterprise}-${startMs}`,
      period_key: '2026-03-01',
      unit: 'kWh',
      old_value: oldValue,
      new_value: newValue,
      old_u: 1,
      new_u: 1.2,
      old_coverage: 90,
      new_coverage: 100,
      old_flags: 'GAP',
      new_flags: '',
      reason: 'READINGS_CHANGED',
      detail: 'late readings',
      restated_at: '2026-03-05T01:00:00.000Z',
    },
  };
}

export function readingPoint(enterprise: string, site: string, point: string, tsMs: number, value: number): SeriesPoint {
  return {
    measurement: 'reading',
    tags: { enterprise, site, point, carrier: 'electricity', quantity: 'active-energy-import' },
    fields: { value, quality: 'good', device: enterprise === 'ent-a' ? 'a-dev' : 'b-dev' },
    timestampMs: tsMs,
  };
}

/** Both enterprises have figures, restatements and readings; B's carry the marker values. */
export async function seededStore(): Promise<InMemoryStore> {
  const store = new InMemoryStore();
  const points: SeriesPoint[] = [];
  for (let day = 0; day < 3; day++) {
    const start = MARCH_1 + day * DAY_MS;
    points.push(figurePoint('ent-a', 'consumption', { site: 'a-site', point: 'a-e-main', carrier: 'electricity', quantity: 'active-energy-import', role: 'boundary-input' }, start, 100 + day));
    points.push(figurePoint('ent-b', 'consumption', { site: 'b-site', point: 'b-e-main', carrier: 'electricity', quantity: 'active-energy-import', role: 'boundary-input' }, start, 987654.321));
    points.push(figurePoint('ent-a', 'carbon', { region: 'CN-CQ', scope: 'scope1' }, start, 10 + day));
    points.push(figurePoint('ent-b', 'carbon', { region: 'CN-JS', scope: 'scope1' }, start, 987654.321));
    points.push(readingPoint('ent-a', 'a-site', 'a-e-main', start + 3_600_000, 5000 + day));
    points.push(readingPoint('ent-b', 'b-site', 'b-e-main', start + 3_600_000, 123456.789));
  }
  points.push(restatementPoint('ent-a', MARCH_1, 100, 101));
  points.push(restatementPoint('ent-b', MARCH_1, 987654.321, 987654.321));
  await store.write(points);
  return store;
}

export async function testApi(overrides: Partial<ApiDeps> = {}) {
  const store = await seededStore();
  const app = buildApi({
    manifest: testManifest(),
    apiKeys: API_KEYS,
    factorCatalog: createFactorCatalog(),
    series: storeSeriesPageReader(store),
    metrics: createMetricsRegistry('api'),
    bodyLimitBytes: 65_536,
    rateLimit: { max: 10_000, windowMs: 60_000 },
    // 2026-03-10 in Asia/Shanghai
    now: () => Date.UTC(2026, 2, 10, 4),
    ...overrides,
  });
  await app.ready();
  return { app, store };
}

export const bearer = (secret: string) => ({ authorization: `Bearer ${secret}` });
