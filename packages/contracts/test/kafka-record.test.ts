import { describe, expect, it } from 'vitest';
import {
  ALERT_DELIVERY_DEAD_LETTER_SCHEMA_ID, ALERT_NOTIFICATION_SCHEMA_ID, ALERT_SIGNAL_SCHEMA_ID, ALERTING_CHANGE_SCHEMA_ID,
  alertDeliveryDeadLetterCodec, alertingChangeRecord, alertingDeletionRecord, alertNotificationCodec, alertSignalCodec, decodeAlertingRecord,
  decodeOrThrow, decodeReadingLiveness, decodeReadingRecord, encodeReadingRecords, READINGS_PER_RECORD, RecordDecodeError,
  type AlertDeliveryDeadLetterV1, type AlertingChangeV1, type AlertNotificationV1, type AlertSignalV1,
  AGGREGATION_JOB_SCHEMA_ID, DEVICE_STATUS_SCHEMA_ID, FIGURE_BATCH_SCHEMA_ID, READING_BATCH_SCHEMA_ID, READING_SCHEMA_ID, RESTATEMENT_SCHEMA_ID,
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
    expect(aggregationJobCodec.decode(Buffer.from('{"v":1,'))).toMatchObject({ ok: false, detail: expect.stringMatching(/^not JSON/) as unknown });
    expect(aggregationJobCodec.decode(Buffer.from(JSON.stringify({ ...job, kinds: [] })))).toEqual({ ok: false, detail: `does not match ${AGGREGATION_JOB_SCHEMA_ID}: /kinds must NOT have fewer than 1 items` });
    expect(restatementCodec.decode(Buffer.from(JSON.stringify(job)))).toMatchObject({ ok: false, detail: expect.stringContaining(RESTATEMENT_SCHEMA_ID) as unknown });
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

  it('round-trips the alerter\'s signals, notifications and delivery dead letters, each with its headers', () => {
    const tick: AlertSignalV1 = { v: 1, kind: 'tick', enterpriseId: 'ent-1', tickMs: 60_000 };
    const signal = alertSignalCodec.encode(tick, 'ent-1');
    expect(signal).toMatchObject({ key: 'ent-1', headers: { schema: ALERT_SIGNAL_SCHEMA_ID } });
    expect(alertSignalCodec.decode(signal.value)).toEqual({ ok: true, value: tick });

    const notification: AlertNotificationV1 = {
      v: 1, notificationId: 'n-1', subscriptionId: 'sub-1', enterpriseId: 'ent-1', rule: 'meter-offline', status: 'firing', groupKey: 'ent-1/meter-offline', repeat: false, createdAt: '2026-03-01T00:00:00.000Z',
      alerts: [{ alertId: 'a-1', dedupKey: 'k-1', enterpriseId: 'ent-1', rule: 'meter-offline', severity: 'critical', subject: { point: 'p-1' }, status: 'firing', startsAt: '2026-03-01T00:00:00.000Z', summary: 'no reading for 30 min' }],
    };
    const outbox = alertNotificationCodec.encode(notification, notification.subscriptionId);
    expect(outbox).toMatchObject({ key: 'sub-1', headers: { schema: ALERT_NOTIFICATION_SCHEMA_ID } });
    expect(alertNotificationCodec.decode(outbox.value)).toEqual({ ok: true, value: notification });

    const letter: AlertDeliveryDeadLetterV1 = { v: 1, reason: 'ATTEMPTS_EXHAUSTED', detail: '503 eight times', attempts: 8, deadAt: '2026-03-01T01:00:00.000Z', notification };
    const dead = alertDeliveryDeadLetterCodec.encode(letter, 'sub-1');
    expect(dead.headers).toEqual({ schema: ALERT_DELIVERY_DEAD_LETTER_SCHEMA_ID, reason: 'ATTEMPTS_EXHAUSTED' });
    expect(alertDeliveryDeadLetterCodec.decode(dead.value)).toEqual({ ok: true, value: letter });
  });

  it('keys an alerting change by its entity, carries the write id, and deletes with an empty value', () => {
    const change: AlertingChangeV1 = {
      v: 1, kind: 'silence', changedAt: '2026-03-01T00:00:00.000Z', changedBy: 'key-1',
      silence: { id: 'quiet-1', enterpriseId: 'ent-1', endsAt: '2026-03-02T00:00:00+08:00', comment: 'meter swap', createdBy: 'key-1', createdAt: '2026-03-01T00:00:00.000Z' },
    };
    const put = alertingChangeRecord(change, 'w-1');
    expect(put).toMatchObject({ key: 'silence/quiet-1', headers: { schema: ALERTING_CHANGE_SCHEMA_ID, 'write-id': 'w-1' } });
    expect(decodeAlertingRecord(put.key, put.value)).toEqual({ ok: true, kind: 'silence', id: 'quiet-1', change });
    const removed = alertingDeletionRecord('silence', 'quiet-1', 'w-2');
    expect(removed).toEqual({ key: 'silence/quiet-1', value: Buffer.alloc(0), headers: { schema: ALERTING_CHANGE_SCHEMA_ID, 'write-id': 'w-2' } });
    expect(decodeAlertingRecord(removed.key, removed.value)).toEqual({ ok: true, kind: 'silence', id: 'quiet-1', change: null });
    expect(decodeAlertingRecord('silence/other', put.value)).toEqual({ ok: false, detail: 'key silence/other does not name the silence quiet-1 it carries' });
  });

  it('tells only the size of what is not JSON (a record may hold a secret), and decodeOrThrow throws its typed error', () => {
    const secretish = Buffer.from('{"secret":"s3cr3t-value-xyz",');
    expect(alertSignalCodec.decode(secretish)).toEqual({ ok: false, detail: `not JSON (${secretish.length} bytes)` });
    expect(() => decodeOrThrow(alertSignalCodec, secretish)).toThrow(RecordDecodeError);
    expect(() => decodeOrThrow(alertSignalCodec, secretish)).toThrow(`${ALERT_SIGNAL_SCHEMA_ID}: not JSON (${secretish.length} bytes)`);
  });

  it('reads the signs of life of a record\'s readings (v1 or v2) without checking the rest, and refuses one without them', () => {
    const record = Buffer.from(JSON.stringify({ v: 1, pointId: 'p-1', enterpriseId: 'ent-1', tsMs: 1_772_324_100_000, value: 'not checked here' }));
    expect(decodeReadingLiveness(record)).toEqual({ ok: true, value: [{ pointId: 'p-1', enterpriseId: 'ent-1', tsMs: 1_772_324_100_000 }] });
    const batch = Buffer.from(JSON.stringify({ v: 2, readings: [{ pointId: 'p-1', enterpriseId: 'ent-1', tsMs: 1 }, { pointId: 'p-2', enterpriseId: 'ent-1', tsMs: 2 }] }));
    expect(decodeReadingLiveness(batch)).toEqual({ ok: true, value: [{ pointId: 'p-1', enterpriseId: 'ent-1', tsMs: 1 }, { pointId: 'p-2', enterpriseId: 'ent-1', tsMs: 2 }] });
    expect(decodeReadingLiveness(Buffer.from('{"pointId":"p-1","enterpriseId":"ent-1","tsMs":"soon"}'))).toEqual({ ok: false, detail: `${READING_SCHEMA_ID} without pointId, enterpriseId or an integer tsMs` });
    expect(decodeReadingLiveness(Buffer.from('{"v":2,"readings":[{"pointId":"p-1","tsMs":1}]}'))).toEqual({ ok: false, detail: `${READING_BATCH_SCHEMA_ID} without pointId, enterpriseId or an integer tsMs` });
    expect(decodeReadingLiveness(Buffer.from('[1,'))).toEqual({ ok: false, detail: 'not JSON (3 bytes)' });
  });
});

describe('readings v2: a payload\'s readings, one record per partition (issue 17)', () => {
  const base = {
    v: 1, deviceId: 'cq-gw-01', seq: 7, enterpriseId: 'ent-1', siteId: 'site-1', carrier: 'electricity', quantity: 'active-energy-import', unit: 'kWh',
    sourceUnit: 'kWh', ts: '2026-03-01T08:15:00+08:00', tsMs: Date.UTC(2026, 2, 1, 0, 15), quality: 'good', receivedAt: '2026-03-01T00:15:01.000Z', verified: true,
  } as const;
  const readings = (count: number): ReadingMessageV1[] =>
    Array.from({ length: count }, (_, index) => ({ ...base, readingId: `cq-gw-01:7:${index}`, index, pointId: `p-${index % 10}`, value: index, sourceValue: index }));
  // A stand-in for the bus's partitioner: the point's number modulo 3.
  const partitionOf = (key: string) => Number(key.slice(2)) % 3;
  const readingsOf = (bytes: Buffer) => {
    const decoded = decodeReadingRecord(bytes);
    if (!decoded.ok) throw new Error(decoded.detail);
    return decoded.value;
  };

  it('groups readings by the partition of their point, keys each record by a point of that partition, and decodes back to the same readings in order', () => {
    const sent = readings(30);
    const records = encodeReadingRecords(sent, partitionOf);
    expect(records.map((r) => r.key)).toEqual(['p-0', 'p-1', 'p-2']);
    expect(records.map((r) => r.headers)).toEqual(records.map(() => ({ schema: READING_BATCH_SCHEMA_ID })));
    const back = records.map((r) => readingsOf(r.value));
    for (const [i, group] of back.entries()) {
      expect(group.map((x) => partitionOf(x.pointId))).toEqual(group.map(() => i));
      expect(group).toEqual(sent.filter((x) => partitionOf(x.pointId) === i));
    }
  });

  it('puts at most READINGS_PER_RECORD readings in a record, and reads a v1 record as one reading', () => {
    const records = encodeReadingRecords(readings(2 * READINGS_PER_RECORD + 1), () => 0);
    expect(records.map((r) => readingsOf(r.value).length)).toEqual([READINGS_PER_RECORD, READINGS_PER_RECORD, 1]);
    const [one] = readings(1);
    expect(decodeReadingRecord(Buffer.from(JSON.stringify(one)))).toEqual({ ok: true, value: [one] });
  });

  it('refuses a v2 record that does not match its schema, naming the field', () => {
    const [record] = encodeReadingRecords(readings(2), () => 0);
    const broken = JSON.parse(record!.value.toString()) as { readings: { value: unknown }[] };
    broken.readings[1]!.value = 'ten';
    expect(decodeReadingRecord(Buffer.from(JSON.stringify(broken)))).toEqual({ ok: false, detail: `does not match ${READING_BATCH_SCHEMA_ID}: /readings/1/value must be number` });
  });
});
