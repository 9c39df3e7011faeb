import { describe, expect, it } from 'vitest';
import {
  AGGREGATION_JOB_SCHEMA_ID, DEVICE_STATUS_SCHEMA_ID, FIGURE_BATCH_SCHEMA_ID, READING_SCHEMA_ID, RESTATEMENT_SCHEMA_ID,
  aggregationJobCodec, deviceStatusCodec, figureBatchCodec, readingMessageCodec, restatementCodec,
  type AggregationJobV1, type FigureBatchV1, type ReadingMessageV1, type RestatementV1,
} from '../src/index.ts';

const job: AggregationJobV1 = { v: 1, jobId: 'recent:ent-1:2026-03-01T00:16', enterpriseId: 'ent-1', kinds: ['quarter-hour', 'hour'], fromMs: 0, toMs: 3_600_000, origin: 'schedule', requestedAt: '2026-03-01T00:16:00.000Z' };
const figure: FigureBatchV1['figures'][number] = {
  measurement: 'carbon',
  enterpriseId: 'ent-1',
  periodKind: 'day',
  periodKey: '2026-03-01',
  startMs: 0,
  endMs: 86_400_000,
  subject: { region: 'CN-CQ', scope: 'scope1' },
  value: 1.25,
  unit: 'tCO2',
  expandedUncertainty: 0.05,
  coveragePercent: 100,
  estimated: 0,
  flags: [],
  factorSet: 'cn-2023@1.0.0',
  registryVersion: 'abc',
  revision: 0,
  detail: {},
};
const batch: FigureBatchV1 = { v: 1, enterpriseId: 'ent-1', computedAt: '2026-03-02T00:20:00.000Z', figures: [figure] };

describe('Kafka record codecs', () => {
  it.each([
    ['aggregation job', aggregationJobCodec, AGGREGATION_JOB_SCHEMA_ID, job],
    ['figure batch', figureBatchCodec, FIGURE_BATCH_SCHEMA_ID, batch],
  ] as const)('encodes a %s with its schema header and decodes it back equal', (_name, codec, schemaId, value) => {
    const record = (codec.encode as (v: unknown, k: string) => { key: string | null; value: Buffer; headers: Record<string, string> })(value, 'ent-1');
    expect(record.key).toBe('ent-1');
    expect(record.headers).toEqual({ schema: schemaId });
    expect(codec.decode(record.value)).toEqual({ ok: true, value });
  });

  it('refuses what is not JSON or not of the schema, naming the field', () => {
    expect(aggregationJobCodec.decode(Buffer.from('{"v":1,'))).toMatchObject({ ok: false, detail: expect.stringMatching(/^not JSON/) });
    expect(aggregationJobCodec.decode(Buffer.from(JSON.stringify({ ...job, kinds: [] })))).toEqual({ ok: false, detail: `does not match ${AGGREGATION_JOB_SCHEMA_ID}: /kinds must NOT have fewer than 1 items` });
    expect(restatementCodec.decode(Buffer.from(JSON.stringify(job)))).toMatchObject({ ok: false, detail: expect.stringContaining(RESTATEMENT_SCHEMA_ID) });
  });

  it('round-trips a reading message and a device status, each with its schema header', () => {
    const reading = {
      v: 1, readingId: 'cq-gw-01:7:0', deviceId: 'cq-gw-01', seq: 7, index: 0, enterpriseId: 'ent-1', siteId: 'site-1', pointId: 'p-1', carrier: 'electricity',
      quantity: 'active-energy-import', value: 1000.5, unit: 'kWh', sourceValue: 1.0005, sourceUnit: 'MWh', ts: '2026-03-01T08:15:00+08:00', tsMs: Date.UTC(2026, 2, 1, 0, 15),
      quality: 'good', receivedAt: '2026-03-01T00:15:01.000Z', verified: true,
    } satisfies ReadingMessageV1;
    const record = readingMessageCodec.encode(reading, reading.pointId);
    expect(record).toMatchObject({ key: 'p-1', headers: { schema: READING_SCHEMA_ID } });
    expect(readingMessageCodec.decode(record.value)).toEqual({ ok: true, value: reading });
    // A reading written before signed payloads has no `verified`: still a reading v1.
    const { verified: _verified, ...older } = reading;
    expect(readingMessageCodec.decode(Buffer.from(JSON.stringify(older)))).toEqual({ ok: true, value: older });

    const status = { v: 1, deviceId: 'cq-gw-01', enterpriseId: 'ent-1', state: 'offline', text: 'offline', retained: false, receivedAt: '2026-03-01T00:15:01.000Z', receivedMs: Date.UTC(2026, 2, 1, 0, 15, 1) } as const;
    const encoded = deviceStatusCodec.encode(status, status.deviceId);
    expect(encoded.headers).toEqual({ schema: DEVICE_STATUS_SCHEMA_ID });
    expect(deviceStatusCodec.decode(encoded.value)).toEqual({ ok: true, value: status });
  });

  it('round-trips a restatement', () => {
    const published = { value: 1, expandedUncertainty: 0.1, coveragePercent: 100, flags: [], factorSet: 'cn-2023@1.0.0', registryVersion: 'abc', revision: 0 };
    const restatement = {
      v: 1, restatementId: 'r-1', enterpriseId: 'ent-1', measurement: 'carbon', subject: { region: 'CN-CQ', scope: 'scope1' }, periodKind: 'day', periodKey: '2026-03-01',
      startMs: 0, unit: 'tCO2', old: published, new: { ...published, value: 1.5, revision: 1 }, reason: 'READINGS_CHANGED', detail: 'a late reading', restatedAt: '2026-03-02T00:20:00.000Z',
    } satisfies RestatementV1;
    const record = restatementCodec.encode(restatement, 'ent-1');
    expect(record.headers).toEqual({ schema: RESTATEMENT_SCHEMA_ID });
    expect(restatementCodec.decode(record.value)).toEqual({ ok: true, value: restatement });
  });
});
